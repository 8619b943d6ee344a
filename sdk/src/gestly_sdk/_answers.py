"""What the framework helpers answer, the same in every framework."""

from typing import Any, Final

from gestly_sdk._errors import WebhookVerificationError

REFUSED_STATUS: Final = 401
RECEIVED_STATUS: Final = 200
RECEIVED_BODY: Final = {"received": True}


def refusal_body(error: WebhookVerificationError) -> dict[str, Any]:
    """The API's error shape, ``{"error": {"code", "message", "field"}}``; the
    message names what failed, never a secret or a signature."""
    return {
        "error": {
            "code": error.code,
            "message": str(error),
            "field": getattr(error, "header", None),
        }
    }
