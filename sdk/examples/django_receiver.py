"""A one-file Django receiver.

    pip install './sdk[django]'
    WEBHOOK_SECRET=whsec_… python django_receiver.py runserver 3000

In a real project, put ``webhook_view(...)`` in your ``urls.py``; the view is exempt
from CSRF (the signature is the check). ``handle`` should only hand the event over
(a task queue, a table), deduplicating on ``event.id``.
"""

import os
import sys

from django.conf import settings

settings.configure(
    DEBUG=False,
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "only-for-this-example"),
    MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
)

from django.urls import path  # noqa: E402 - Django needs its settings first

from gestly_sdk import Event, MemoryProcessedEvents, Webhook  # noqa: E402
from gestly_sdk.integrations.django import webhook_view  # noqa: E402

processed = MemoryProcessedEvents()
received: list[Event] = []


def handle(event: Event) -> None:
    if processed.mark_processed(event.id):
        received.append(event)  # stand-in for enqueueing a task
        print("received:", event.type, event.id)


urlpatterns = [
    path("webhooks", webhook_view(Webhook(os.environ["WEBHOOK_SECRET"]), handle)),
]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
