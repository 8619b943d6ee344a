"""Each framework helper through that framework's own test client: 200 at once on a
genuine delivery with the typed event handed over, 401 with a JSON error otherwise."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gestly_sdk import CustomerCreated, Event, Webhook
from sdk_support import EVENT_ID, OTHER_SECRET, SECRET, envelope, signed_now


def genuine() -> tuple[bytes, dict[str, str]]:
    body = envelope()
    return body, signed_now(body)


def stale() -> tuple[bytes, dict[str, str]]:
    body = envelope()
    return body, Webhook(SECRET).sign(EVENT_ID, int(time.time()) - 3600, body)


def forged() -> tuple[bytes, dict[str, str]]:
    body = envelope()
    return body, signed_now(body, secret=OTHER_SECRET)


def starlette_app(handle: Callable[[Event], Any]) -> Any:
    from starlette.applications import Starlette

    from gestly_sdk.integrations.starlette import webhook_endpoint

    app = Starlette()
    app.add_route("/webhooks", webhook_endpoint(Webhook(SECRET), handle), ["POST"])
    return app


def fastapi_app(handle: Callable[[Event], Any]) -> Any:
    from fastapi import FastAPI

    from gestly_sdk.integrations.starlette import webhook_endpoint

    app = FastAPI()
    app.add_route("/webhooks", webhook_endpoint(Webhook(SECRET), handle), ["POST"])
    return app


@pytest.mark.parametrize(
    "build", [starlette_app, fastapi_app], ids=["starlette", "fastapi"]
)
def test_asgi_receiver_answers_200_and_hands_over_the_typed_event(
    build: Callable[[Callable[[Event], Any]], Any],
) -> None:
    from starlette.testclient import TestClient

    received: list[Event] = []
    body, headers = genuine()

    with TestClient(build(received.append)) as client:
        answer = client.post("/webhooks", content=body, headers=headers)

    assert (answer.status_code, answer.json()) == (200, {"received": True})
    assert [type(event) for event in received] == [CustomerCreated]


@pytest.mark.parametrize(
    ("request_maker", "code"),
    [(forged, "signature_mismatch"), (stale, "timestamp_too_old")],
    ids=["forged", "stale"],
)
@pytest.mark.parametrize(
    "build", [starlette_app, fastapi_app], ids=["starlette", "fastapi"]
)
def test_asgi_receiver_answers_401_with_a_json_error(
    build: Callable[[Callable[[Event], Any]], Any],
    request_maker: Callable[[], tuple[bytes, dict[str, str]]],
    code: str,
) -> None:
    from starlette.testclient import TestClient

    received: list[Event] = []
    body, headers = request_maker()

    with TestClient(build(received.append)) as client:
        answer = client.post("/webhooks", content=body, headers=headers)

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == code
    assert received == []


def test_asgi_receiver_awaits_an_async_handler() -> None:
    from starlette.testclient import TestClient

    received: list[Event] = []

    async def handle(event: Event) -> None:
        received.append(event)

    body, headers = genuine()

    with TestClient(starlette_app(handle)) as client:
        answer = client.post("/webhooks", content=body, headers=headers)

    assert answer.status_code == 200
    assert [event.id for event in received] == [EVENT_ID]


def test_asgi_receiver_answers_500_when_the_handler_fails() -> None:
    from starlette.testclient import TestClient

    def handle(_event: Event) -> None:
        raise RuntimeError("queue down")

    body, headers = genuine()

    with TestClient(starlette_app(handle), raise_server_exceptions=False) as client:
        answer = client.post("/webhooks", content=body, headers=headers)

    assert answer.status_code == 500


def flask_client(handle: Callable[[Event], Any]) -> Any:
    from flask import Flask

    from gestly_sdk.integrations.flask import webhook_view

    app = Flask(__name__)
    app.add_url_rule(
        "/webhooks", view_func=webhook_view(Webhook(SECRET), handle), methods=["POST"]
    )
    return app.test_client()


def test_flask_receiver_answers_200_and_hands_over_the_typed_event() -> None:
    received: list[Event] = []
    body, headers = genuine()

    answer = flask_client(received.append).post("/webhooks", data=body, headers=headers)

    assert (answer.status_code, answer.get_json()) == (200, {"received": True})
    assert [type(event) for event in received] == [CustomerCreated]


@pytest.mark.parametrize(
    ("request_maker", "code"),
    [(forged, "signature_mismatch"), (stale, "timestamp_too_old")],
    ids=["forged", "stale"],
)
def test_flask_receiver_answers_401_with_a_json_error(
    request_maker: Callable[[], tuple[bytes, dict[str, str]]], code: str
) -> None:
    received: list[Event] = []
    body, headers = request_maker()

    answer = flask_client(received.append).post("/webhooks", data=body, headers=headers)

    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == code
    assert received == []


@pytest.fixture(scope="module")
def django_client() -> Any:
    import django
    from django.conf import settings
    from django.test import Client

    if not settings.configured:
        settings.configure(
            ROOT_URLCONF="django_receiver_urls",
            ALLOWED_HOSTS=["testserver"],
            SECRET_KEY="sdk-tests-only",
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
        )
        django.setup()
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def django_received() -> Iterator[list[Event]]:
    from django_receiver_urls import RECEIVED

    RECEIVED.clear()
    yield RECEIVED
    RECEIVED.clear()


def test_django_receiver_answers_200_despite_csrf_checks(
    django_client: Any, django_received: list[Event]
) -> None:
    body, headers = genuine()

    answer = django_client.post(
        "/webhooks", data=body, content_type="application/json", headers=headers
    )

    assert (answer.status_code, answer.json()) == (200, {"received": True})
    assert [type(event) for event in django_received] == [CustomerCreated]


@pytest.mark.parametrize(
    ("request_maker", "code"),
    [(forged, "signature_mismatch"), (stale, "timestamp_too_old")],
    ids=["forged", "stale"],
)
def test_django_receiver_answers_401_with_a_json_error(
    django_client: Any,
    django_received: list[Event],
    request_maker: Callable[[], tuple[bytes, dict[str, str]]],
    code: str,
) -> None:
    body, headers = request_maker()

    answer = django_client.post(
        "/webhooks", data=body, content_type="application/json", headers=headers
    )

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == code
    assert django_received == []


def test_django_receiver_refuses_get(django_client: Any) -> None:
    answer = django_client.get("/webhooks")

    assert answer.status_code == 405
