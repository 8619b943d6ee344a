"""A Starlette (and FastAPI) endpoint that verifies deliveries.

    app.add_route("/webhooks", webhook_endpoint(Webhook(secret), handle), ["POST"])

``handle(event)`` runs before the answer; keep it quick (queue the work) so the
delivery is acknowledged well within Gestly's 15-second timeout.
"""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from gestly_sdk._errors import WebhookVerificationError
from gestly_sdk._events import Event
from gestly_sdk._verification import Webhook

Handler = Callable[[Event], Awaitable[None] | None]


def webhook_endpoint(
    webhook: Webhook, handle: Handler
) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def receive(request: Request) -> JSONResponse:
        try:
            event = webhook.verify(await request.body(), request.headers)
        except WebhookVerificationError as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        outcome = handle(event)
        if outcome is not None:
            await outcome
        return JSONResponse({"received": True})

    return receive
