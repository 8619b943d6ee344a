"""A Django view that verifies deliveries (CSRF-exempt: the signature is the check).

path("webhooks", webhook_view(Webhook(secret), handle))
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gestly_sdk._errors import WebhookVerificationError
from gestly_sdk._events import Event
from gestly_sdk._verification import Webhook


def webhook_view(
    webhook: Webhook, handle: Callable[[Event], None]
) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    @require_POST
    def receive(request: HttpRequest) -> HttpResponse:
        try:
            event = webhook.verify(request.body, request.META)
        except WebhookVerificationError as exc:
            return JsonResponse({"error": str(exc)}, status=401)
        handle(event)
        return JsonResponse({"received": True})

    return receive
