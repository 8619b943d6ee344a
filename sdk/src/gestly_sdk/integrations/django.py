"""A Django view that verifies deliveries.

    urlpatterns = [path("webhooks", webhook_view(Webhook(secret), handle))]

The view is exempt from CSRF checks (Gestly has no CSRF token; the signature is the
check) and takes POST only. It answers 401 with a JSON error when verification
fails; otherwise it calls ``handle(event)`` and answers 200. If ``handle`` raises,
Django answers 500 and Gestly delivers again later; keep ``handle`` quick.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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
) -> Callable[[HttpRequest], HttpResponse]:
    """A view for ``path()``; see the module's docstring."""

    @csrf_exempt
    @require_POST
    def receive_webhook(request: HttpRequest) -> HttpResponse:
        try:
            event = webhook.verify(request.body, request.headers)
        except WebhookVerificationError as error:
            return JsonResponse(refusal_body(error), status=REFUSED_STATUS)

        handle(event)
        return JsonResponse(RECEIVED_BODY, status=RECEIVED_STATUS)

    return receive_webhook
