"""The URLconf of the in-process Django app that test_frameworks.py drives."""

from django.urls import path

from gestly_sdk import Event, Webhook
from gestly_sdk.integrations.django import webhook_view
from sdk_support import SECRET

RECEIVED: list[Event] = []

urlpatterns = [path("webhooks", webhook_view(Webhook(SECRET), RECEIVED.append))]
