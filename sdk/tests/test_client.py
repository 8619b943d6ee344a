"""The API client against a real HTTP server on loopback that plays the API."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import gestly_sdk
from gestly_sdk import (
    AuthenticationError,
    ConflictError,
    GestlyClient,
    NotFoundError,
    ServerError,
    ValidationError,
)


class ScriptedApi(ThreadingHTTPServer):
    """Answers each request with the next scripted (status, body, headers)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.script: list[tuple[int, Any, dict[str, str]]] = []
        self.seen: list[dict[str, Any]] = []


class ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedApi

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": json.loads(self.rfile.read(length)) if length else None,
            }
        )
        status, body, headers = self.server.script.pop(0)
        payload = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = answer

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def api() -> Iterator[ScriptedApi]:
    server = ScriptedApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(api: ScriptedApi) -> GestlyClient:
    return GestlyClient(
        "gst_test",
        f"http://127.0.0.1:{api.server_address[1]}/v1",
        sleep=lambda _seconds: None,
    )


def error(code: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": f"{code} happened", "field": field}}


def test_post_retried_after_503_keeps_one_idempotency_key(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [
        (503, error("busy"), {"Retry-After": "0"}),
        (201, {"id": "cus_1"}, {}),
    ]

    created = client.create_customer(name="Ana")

    assert created == {"id": "cus_1"}
    keys = {request["headers"]["Idempotency-Key"] for request in api.seen}
    assert len(api.seen) == 2
    assert len(keys) == 1
    assert api.seen[0]["headers"]["Authorization"] == "Bearer gst_test"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, AuthenticationError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, ValidationError),
        (500, ServerError),
    ],
)
def test_api_errors_become_typed_exceptions_with_their_fields(
    api: ScriptedApi, client: GestlyClient, status: int, kind: type[Exception]
) -> None:
    api.script = [(status, error("bad", "url"), {})] * 4

    with pytest.raises(kind) as raised:
        client.get_endpoint("we_1")

    assert raised.value.status == status  # type: ignore[attr-defined]
    assert raised.value.field == "url"  # type: ignore[attr-defined]


def test_server_errors_are_retried_then_given_up(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [(500, error("boom"), {})] * 4

    with pytest.raises(ServerError):
        client.get_delivery("del_1")

    assert len(api.seen) == 4


def test_iteration_follows_cursors_across_pages(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [
        (
            200,
            {
                "data": [{"id": "del_3"}, {"id": "del_2"}],
                "has_more": True,
                "next_cursor": "del_2",
            },
            {},
        ),
        (200, {"data": [{"id": "del_1"}], "has_more": False, "next_cursor": None}, {}),
    ]

    ids = [item["id"] for item in client.iter_deliveries(status="failed")]

    assert ids == ["del_3", "del_2", "del_1"]
    assert api.seen[1]["path"] == "/v1/webhook_deliveries?status=failed&cursor=del_2"


def test_base_url_must_be_http_or_https() -> None:
    with pytest.raises(ValueError, match="https"):
        GestlyClient("gst_test", "file:///etc/passwd")


def test_public_names_are_exactly_the_curated_list() -> None:
    public = {name for name in dir(gestly_sdk) if not name.startswith("_")}

    assert public - {"integrations"} == set(gestly_sdk.__all__)
