"""A one-file Django receiver.

Run with `WEBHOOK_SECRET=whsec_… python django_receiver.py runserver 3000`.
"""

import os
import sys

from django.conf import settings
from django.core.management import execute_from_command_line
from django.urls import path

settings.configure(
    DEBUG=False,
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "change-me"),
)

from gestly_sdk import Event, Webhook  # noqa: E402 - after settings.configure
from gestly_sdk.integrations.django import webhook_view  # noqa: E402


def handle(event: Event) -> None:
    print(event.type, event.id)


urlpatterns = [
    path("webhooks", webhook_view(Webhook(os.environ["WEBHOOK_SECRET"]), handle))
]

if __name__ == "__main__":
    execute_from_command_line(sys.argv)
