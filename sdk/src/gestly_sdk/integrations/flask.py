"""A Flask view that verifies deliveries.

    app.add_url_rule("/webhooks", view_func=webhook_view(Webhook(secret), handle),
                     methods=["POST"])

It answers 401 with a JSON error when verification fails; otherwise it calls
``handle(event)`` and answers 200. If ``handle`` raises, Flask answers 500 and Gestly
delivers again later; keep ``handle`` quick (hand the event to a queue), since Gestly
waits 15 seconds for an answer.
"""

from collections.abc import Callable

from flask import Response, jsonify, request

from gestly_sdk._answers import (
    RECEIVED_BODY,
    RECEIVED_STATUS,
    REFUSED_STATUS,
    refusal_body,
)
from gestly_sdk._errors import WebhookVerificationError
from gestly_sdk._events import Event
from gestly_sdk._verification import Webhook


def webhook_view(
    webhook: Webhook, handle: Callable[[Event], object]
) -> Callable[[], tuple[Response, int]]:
    """A view function for ``app.add_url_rule``; see the module's docstring."""

    def receive_webhook() -> tuple[Response, int]:
        try:
            # get_data() is the raw body, whatever the Content-Type says.
            event = webhook.verify(request.get_data(cache=True), request.headers)
        except WebhookVerificationError as error:
            return jsonify(refusal_body(error)), REFUSED_STATUS

        handle(event)
        return jsonify(RECEIVED_BODY), RECEIVED_STATUS

    return receive_webhook
