"""A Flask view that verifies deliveries.

app.add_url_rule("/webhooks", view_func=webhook_view(Webhook(secret), handle),
                 methods=["POST"])
"""

from collections.abc import Callable
from typing import Any

from flask import jsonify, request

from gestly_sdk._errors import WebhookVerificationError
from gestly_sdk._events import Event
from gestly_sdk._verification import Webhook


def webhook_view(
    webhook: Webhook, handle: Callable[[Event], None]
) -> Callable[[], Any]:
    def receive() -> Any:
        try:
            event = webhook.verify(request.get_data(), request.headers)
        except WebhookVerificationError as exc:
            return jsonify(error=str(exc)), 401
        handle(event)
        return jsonify(received=True)

    receive.__name__ = "gestly_webhook"
    return receive
