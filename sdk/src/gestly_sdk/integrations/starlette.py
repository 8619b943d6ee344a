"""A Starlette (and FastAPI) endpoint that verifies deliveries.

    app.add_route("/webhooks", webhook_endpoint(Webhook(secret), handle), ["POST"])

It answers 401 with a JSON error when verification fails. Otherwise it calls
``handle(event)`` (a coroutine function is awaited, a plain function runs in the
thread pool so it cannot block the event loop) and answers 200. If ``handle`` raises,
the request fails with 500 and Gestly delivers again later, so keep ``handle`` to
handing the event over (a queue, a table) and do the work elsewhere: Gestly waits 15
seconds for an answer.
"""

import inspect
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from gestly_sdk._answers import (
    RECEIVED_BODY,
    RECEIVED_STATUS,
    REFUSED_STATUS,
    refusal_body,
)
from gestly_sdk._errors import WebhookVerificationError
from gestly_sdk._events import Event
from gestly_sdk._verification import Webhook

Handler = Callable[[Event], Awaitable[None] | None]


def webhook_endpoint(
    webhook: Webhook, handle: Handler
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """A request handler for ``app.add_route``; see the module's docstring."""

    async def receive_webhook(request: Request) -> JSONResponse:
        try:
            event = webhook.verify(await request.body(), request.headers)
        except WebhookVerificationError as error:
            return JSONResponse(refusal_body(error), status_code=REFUSED_STATUS)

        if inspect.iscoroutinefunction(handle):
            await handle(event)
        else:
            outcome = await run_in_threadpool(handle, event)
            if inspect.isawaitable(outcome):
                await outcome
        return JSONResponse(RECEIVED_BODY, status_code=RECEIVED_STATUS)

    return receive_webhook
