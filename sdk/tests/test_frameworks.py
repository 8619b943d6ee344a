"""Each framework helper, through that framework's own test client: 401 on a bad
signature, 200 at once on a good one, the typed event handed over."""

import time

import pytest
from sdk_support import EVENT_ID, SECRET, envelope

from gestly_sdk import CustomerCreated, Event, Webhook, sign


def signed_request() -> tuple[bytes, dict[str, str]]:
    body = envelope()
    return body, sign(SECRET, EVENT_ID, int(time.time()), body)


def test_starlette_receiver_accepts_genuine_and_refuses_forged() -> None:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from gestly_sdk.integrations.starlette import webhook_endpoint

    received: list[Event] = []
    app = Starlette()
    app.add_route(
        "/webhooks", webhook_endpoint(Webhook(SECRET), received.append), ["POST"]
    )
    body, headers = signed_request()

    with TestClient(app) as client:
        good = client.post("/webhooks", content=body, headers=headers)
        forged = client.post("/webhooks", content=body + b" ", headers=headers)

    assert good.status_code == 200
    assert forged.status_code == 401
    assert "signature" in forged.json()["error"]
    assert [type(event) for event in received] == [CustomerCreated]


def test_flask_receiver_accepts_genuine_and_refuses_forged() -> None:
    from flask import Flask

    from gestly_sdk.integrations.flask import webhook_view

    received: list[Event] = []
    app = Flask(__name__)
    app.add_url_rule(
        "/webhooks",
        view_func=webhook_view(Webhook(SECRET), received.append),
        methods=["POST"],
    )
    body, headers = signed_request()
    client = app.test_client()

    good = client.post("/webhooks", data=body, headers=headers)
    forged = client.post(
        "/webhooks", data=body, headers={**headers, "webhook-id": "evt_x"}
    )

    assert good.status_code == 200
    assert forged.status_code == 401
    assert [event.id for event in received] == [EVENT_ID]


@pytest.fixture(scope="module")
def django_client():  # type: ignore[no-untyped-def]
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            ROOT_URLCONF=__name__,
            ALLOWED_HOSTS=["testserver"],
            SECRET_KEY="sdk-tests-only",
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
        )
        django.setup()
    from django.test import Client

    return Client(enforce_csrf_checks=True)


DJANGO_RECEIVED: list[Event] = []


def django_urls() -> list[object]:
    from django.urls import path

    from gestly_sdk.integrations.django import webhook_view

    return [path("webhooks", webhook_view(Webhook(SECRET), DJANGO_RECEIVED.append))]


def __getattr__(name: str) -> object:
    # Django reads urlpatterns from ROOT_URLCONF (this module) lazily.
    if name == "urlpatterns":
        return django_urls()
    raise AttributeError(name)


def test_django_receiver_accepts_genuine_and_refuses_forged(django_client) -> None:  # type: ignore[no-untyped-def]
    body, headers = signed_request()
    meta = {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in headers.items()
    }

    good = django_client.post(
        "/webhooks", data=body, content_type="application/json", **meta
    )
    forged = django_client.post(
        "/webhooks",
        data=body.replace(b"Jo", b"jo"),
        content_type="application/json",
        **meta,
    )

    assert good.status_code == 200
    assert forged.status_code == 401
    assert [event.id for event in DJANGO_RECEIVED] == [EVENT_ID]
