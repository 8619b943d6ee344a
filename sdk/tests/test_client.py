"""The API client against a real HTTP server on 127.0.0.1 that plays the API."""

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gestly_sdk import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    GestlyAPIError,
    GestlyClient,
    NotFoundError,
    Page,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ValidationError,
)


@dataclass
class Answer:
    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # never answer: the client must time out


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ScriptedApi(ThreadingHTTPServer):
    """Answers each request with the next scripted ``Answer``; records requests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.script: list[Answer] = []
        self.seen: list[Seen] = []
        self.release = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedApi

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.server.seen.append(
            Seen(
                method=self.command,
                path=self.path,
                headers=dict(self.headers),
                body=json.loads(raw) if raw else None,
            )
        )
        answer = self.server.script.pop(0) if self.server.script else Answer(500)
        if answer.hang:
            self.server.release.wait()
            return
        payload = b"" if answer.body is None else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = answer

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def api() -> Iterator[ScriptedApi]:
    server = ScriptedApi()
    # A short poll interval lets shutdown() return at once.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(api: ScriptedApi, waits: list[float]) -> GestlyClient:
    return GestlyClient(
        "gst_test", api.base_url, sleep=waits.append, jitter=lambda: 0.0
    )


def error(code: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": f"{code} happened", "field": field}}


def test_requests_carry_the_bearer_token_and_json(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [Answer(201, {"id": "cus_1"})]

    created = client.create_customer("João Silva", phone="+5511987654321")

    assert created == {"id": "cus_1"}
    [request] = api.seen
    assert (request.method, request.path) == ("POST", "/v1/customers")
    assert request.headers["Authorization"] == "Bearer gst_test"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {"name": "João Silva", "phone": "+5511987654321"}


def test_every_post_carries_a_new_idempotency_key(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [Answer(201), Answer(201)]

    client.create_reward("Corte grátis", 100)
    client.create_reward("Corte grátis", 100)

    keys = [request.headers["Idempotency-Key"] for request in api.seen]
    assert len(set(keys)) == 2


def test_given_idempotency_key_is_sent_as_is(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [Answer(201)]

    client.cancel_appointment("apt_1", "Cliente pediu", idempotency_key="cancel-apt_1")

    assert api.seen[0].headers["Idempotency-Key"] == "cancel-apt_1"
    assert api.seen[0].body == {"reason": "Cliente pediu"}


def test_get_carries_no_idempotency_key(api: ScriptedApi, client: GestlyClient) -> None:
    api.script = [Answer(200, {"id": "srv_1"})]

    client.get_service("srv_1")

    assert "Idempotency-Key" not in api.seen[0].headers


def test_post_retried_after_503_keeps_its_idempotency_key(
    api: ScriptedApi, client: GestlyClient, waits: list[float]
) -> None:
    api.script = [Answer(503, error("busy")), Answer(500), Answer(201, {"id": "apt_1"})]

    booked = client.create_appointment(
        "cus_1", "srv_1", datetime(2026, 1, 2, 14, tzinfo=UTC)
    )

    assert booked == {"id": "apt_1"}
    keys = {request.headers["Idempotency-Key"] for request in api.seen}
    assert len(api.seen) == 3
    assert len(keys) == 1
    assert waits == [0.25, 0.5]


def test_retry_after_is_honoured(
    api: ScriptedApi, client: GestlyClient, waits: list[float]
) -> None:
    api.script = [
        Answer(429, error("rate_limited"), {"Retry-After": "7"}),
        Answer(200, {"id": "we_1"}),
    ]

    client.get_webhook_endpoint("we_1")

    assert waits == [7.0]


def test_retry_after_beyond_the_cap_raises_at_once_with_it(
    api: ScriptedApi, client: GestlyClient, waits: list[float]
) -> None:
    api.script = [Answer(429, error("rate_limited"), {"Retry-After": "3600"})]

    with pytest.raises(RateLimitError) as raised:
        client.list_services()

    assert raised.value.retry_after_s == 3600.0
    assert waits == []


def test_server_errors_are_retried_then_raised(
    api: ScriptedApi, client: GestlyClient, waits: list[float]
) -> None:
    api.script = [Answer(502, error("bad_gateway"))] * 4

    with pytest.raises(ServerError) as raised:
        client.get_webhook_delivery("del_1")

    assert len(api.seen) == 4
    assert waits == [0.25, 0.5, 1.0]
    assert raised.value.status == 502


def test_post_whose_twin_is_running_is_retried(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [
        Answer(409, error("idempotency_key_in_use", "Idempotency-Key")),
        Answer(201, {"id": "rev_1"}),
    ]

    assert client.create_review("apt_1", 5) == {"id": "rev_1"}
    assert len(api.seen) == 2


def test_patch_is_not_retried(api: ScriptedApi, client: GestlyClient) -> None:
    api.script = [Answer(503, error("busy"))]

    with pytest.raises(ServerError):
        client.update_customer("cus_1", email=None)

    assert len(api.seen) == 1
    assert api.seen[0].body == {"email": None}


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (409, ConflictError),
        (413, ValidationError),
        (422, ValidationError),
        (418, GestlyAPIError),
    ],
)
def test_api_errors_become_typed_exceptions_with_their_fields(
    api: ScriptedApi, client: GestlyClient, status: int, kind: type[GestlyAPIError]
) -> None:
    api.script = [Answer(status, error("bad_url", "url"))]

    with pytest.raises(GestlyAPIError) as raised:
        client.create_webhook_endpoint("ftp://nope")

    assert type(raised.value) is kind
    assert (raised.value.status, raised.value.code) == (status, "bad_url")
    assert (raised.value.message, raised.value.field) == ("bad_url happened", "url")


def test_error_without_a_json_body_keeps_a_preview(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [Answer(404, "plain words")]

    with pytest.raises(NotFoundError) as raised:
        client.get_customer("cus_1")

    assert raised.value.code == "http_error"
    assert "plain words" in raised.value.message


def test_redirect_is_not_followed(api: ScriptedApi, client: GestlyClient) -> None:
    api.script = [Answer(301, None, {"Location": "http://127.0.0.1:1/elsewhere"})]

    with pytest.raises(GestlyAPIError) as raised:
        client.list_customers()

    assert raised.value.code == "redirect"
    assert len(api.seen) == 1


def test_answer_that_is_not_json_raises(api: ScriptedApi, client: GestlyClient) -> None:
    api.script = [Answer(200, ["not", "an", "object"])]

    with pytest.raises(GestlyAPIError, match="not a JSON object"):
        client.get_customer("cus_1")


def test_empty_answer_is_an_empty_object(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [Answer(204, None)]

    client.delete_webhook_endpoint("we_1")

    assert (api.seen[0].method, api.seen[0].path) == (
        "DELETE",
        "/v1/webhook_endpoints/we_1",
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_refused_connection_is_retried_then_raised(waits: list[float]) -> None:
    client = GestlyClient(
        "gst_test",
        f"http://127.0.0.1:{closed_port()}/v1",
        sleep=waits.append,
        jitter=lambda: 0.5,
    )

    with pytest.raises(APIConnectionError):
        client.create_customer("Ana")

    assert waits == [0.375, 0.75, 1.5]


def test_silent_server_times_out(api: ScriptedApi, waits: list[float]) -> None:
    api.script = [Answer(hang=True)]
    client = GestlyClient(
        "gst_test",
        api.base_url,
        timeout_s=0.2,
        retry_policy=RetryPolicy(max_retries=0),
        sleep=waits.append,
    )

    with pytest.raises(APITimeoutError):
        client.get_event("evt_1")


def page(ids: list[str], next_cursor: str | None) -> Answer:
    data = [{"id": identifier} for identifier in ids]
    return Answer(
        200, {"data": data, "has_more": bool(next_cursor), "next_cursor": next_cursor}
    )


def test_iteration_follows_cursors_across_pages(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [page(["del_3", "del_2"], "del_2"), page(["del_1"], None)]

    ids = [item["id"] for item in client.iter_webhook_deliveries(status="failed")]

    assert ids == ["del_3", "del_2", "del_1"]
    assert [request.path for request in api.seen] == [
        "/v1/webhook_deliveries?status=failed",
        "/v1/webhook_deliveries?status=failed&cursor=del_2",
    ]


def test_one_page_is_returned_with_its_cursor(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [page(["evt_2"], "evt_2")]

    found = client.list_events(event_type="appointment.create", limit=1)

    assert found == Page([{"id": "evt_2"}], has_more=True, next_cursor="evt_2")
    assert api.seen[0].path == "/v1/events?event_type=appointment.create&limit=1"


def test_loyalty_ledger_is_iterated_inside_its_answer(
    api: ScriptedApi, client: GestlyClient
) -> None:
    def ledger(ids: list[str], cursor: str | None) -> Answer:
        inner = page(ids, cursor).body
        return Answer(200, {"customer_id": "cus_1", "balance": 30, "ledger": inner})

    api.script = [ledger(["lpe_2"], "lpe_2"), ledger(["lpe_1"], None)]

    ids = [entry["id"] for entry in client.iter_loyalty_ledger("cus_1")]

    assert ids == ["lpe_2", "lpe_1"]
    assert api.seen[1].path == "/v1/customers/cus_1/loyalty?cursor=lpe_2"


def test_ids_cannot_leave_their_path_segment(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [Answer(404, error("not_found"))]

    with pytest.raises(NotFoundError):
        client.get_customer("../webhook_endpoints?x=1")

    assert api.seen[0].path == "/v1/customers/..%2Fwebhook_endpoints%3Fx%3D1"


def test_times_and_dates_are_sent_as_utc_text(
    api: ScriptedApi, client: GestlyClient
) -> None:
    api.script = [Answer(200, {"slots": []}), Answer(202)]
    brasilia = timezone(timedelta(hours=-3))

    client.get_availability(date(2026, 1, 2), "srv_1", professional_id="stf_1")
    client.recover_webhook_endpoint("we_1", datetime(2026, 1, 1, 7, tzinfo=brasilia))

    assert api.seen[0].path == (
        "/v1/availability?date=2026-01-02&service_id=srv_1&professional_id=stf_1"
    )
    assert api.seen[1].body == {"since": "2026-01-01T10:00:00Z"}


def test_naive_datetime_is_refused_before_sending(
    api: ScriptedApi, client: GestlyClient
) -> None:
    with pytest.raises(ValueError, match="aware"):
        client.create_appointment("cus_1", "srv_1", datetime(2026, 1, 2, 14))

    assert api.seen == []


# Each call of the client, and the request it must make (method, path, body).
CALLS: list[tuple[Callable[[GestlyClient], object], str, str, Any]] = [
    (
        lambda c: c.create_service("Corte", 30, 5000, "BRL"),
        "POST",
        "/v1/services",
        {
            "name": "Corte",
            "duration_minutes": 30,
            "price_cents": 5000,
            "currency": "BRL",
        },
    ),
    (
        lambda c: c.update_service("srv_1", price_cents=6000),
        "PATCH",
        "/v1/services/srv_1",
        {"price_cents": 6000},
    ),
    (
        lambda c: c.create_professional("Marta", ["srv_1"]),
        "POST",
        "/v1/professionals",
        {"name": "Marta", "service_ids": ["srv_1"]},
    ),
    (lambda c: c.get_professional("stf_1"), "GET", "/v1/professionals/stf_1", None),
    (lambda c: c.get_appointment("apt_1"), "GET", "/v1/appointments/apt_1", None),
    (
        lambda c: c.update_appointment("apt_1", status="confirmed"),
        "PATCH",
        "/v1/appointments/apt_1",
        {"status": "confirmed"},
    ),
    (lambda c: c.get_review("rev_1"), "GET", "/v1/reviews/rev_1", None),
    (
        lambda c: c.respond_to_review("rev_1", "Obrigado!"),
        "POST",
        "/v1/reviews/rev_1/response",
        {"text": "Obrigado!"},
    ),
    (lambda c: c.get_loyalty("cus_1"), "GET", "/v1/customers/cus_1/loyalty", None),
    (
        lambda c: c.redeem_reward("cus_1", "rwd_1"),
        "POST",
        "/v1/customers/cus_1/redemptions",
        {"reward_id": "rwd_1"},
    ),
    (
        lambda c: c.get_event_type("review.create"),
        "GET",
        "/v1/event_types/review.create",
        None,
    ),
    (
        lambda c: c.create_webhook_endpoint(
            "https://example.com/hooks", "Loja", ["appointment.create"], True
        ),
        "POST",
        "/v1/webhook_endpoints",
        {
            "url": "https://example.com/hooks",
            "description": "Loja",
            "events": ["appointment.create"],
            "enabled": True,
        },
    ),
    (
        lambda c: c.update_webhook_endpoint("we_1", enabled=False),
        "PATCH",
        "/v1/webhook_endpoints/we_1",
        {"enabled": False},
    ),
    (
        lambda c: c.rotate_webhook_secret("we_1", grace_period_hours=48),
        "POST",
        "/v1/webhook_endpoints/we_1/rotate_secret",
        {"grace_period_hours": 48},
    ),
    (
        lambda c: c.send_test_event("we_1", "review.create"),
        "POST",
        "/v1/webhook_endpoints/we_1/test",
        {"type": "review.create"},
    ),
    (lambda c: c.get_event("evt_1"), "GET", "/v1/events/evt_1", None),
    (
        lambda c: c.retry_webhook_delivery("del_1"),
        "POST",
        "/v1/webhook_deliveries/del_1/retry",
        None,
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "body"),
    CALLS,
    ids=[path for _, _, path, _ in CALLS],
)
def test_each_resource_call_makes_its_documented_request(
    api: ScriptedApi,
    client: GestlyClient,
    call: Callable[[GestlyClient], object],
    method: str,
    path: str,
    body: Any,
) -> None:
    api.script = [Answer(200, {"id": "x"})]

    call(client)

    [request] = api.seen
    assert (request.method, request.path, request.body) == (method, path, body)


@pytest.mark.parametrize(
    ("iterate", "path"),
    [
        (lambda c: c.iter_services(), "/v1/services"),
        (lambda c: c.iter_professionals(), "/v1/professionals"),
        (lambda c: c.iter_customers(q="João"), "/v1/customers?q=Jo%C3%A3o"),
        (
            lambda c: c.iter_appointments(status="confirmed"),
            "/v1/appointments?status=confirmed",
        ),
        (lambda c: c.iter_reviews(), "/v1/reviews"),
        (lambda c: c.iter_rewards(), "/v1/rewards"),
        (lambda c: c.iter_redemptions("cus_1"), "/v1/customers/cus_1/redemptions"),
        (lambda c: c.iter_webhook_endpoints(), "/v1/webhook_endpoints"),
        (lambda c: c.iter_events(), "/v1/events"),
        (lambda c: c.list_event_types(), "/v1/event_types"),
    ],
)
def test_each_list_is_iterable(
    api: ScriptedApi,
    client: GestlyClient,
    iterate: Callable[[GestlyClient], Any],
    path: str,
) -> None:
    api.script = [page(["a"], None)]

    items = list(iterate(client))

    assert items == [{"id": "a"}]
    assert api.seen[0].path == path


@pytest.mark.parametrize(
    ("token", "base_url"),
    [
        ("gst_test", "file:///etc/passwd"),
        ("gst_test", "127.0.0.1:8000/v1"),
        ("", "http://127.0.0.1:8000/v1"),
        (" gst_test\n", "http://127.0.0.1:8000/v1"),
        ("gst\r\nX-Evil: 1", "http://127.0.0.1:8000/v1"),
    ],
    ids=[
        "file scheme",
        "no scheme",
        "empty token",
        "token with spaces",
        "token with CRLF",
    ],
)
def test_bad_configuration_is_refused_at_once(token: str, base_url: str) -> None:
    with pytest.raises(ValueError, match=r"token|base_url"):
        GestlyClient(token, base_url)


def test_default_base_url_is_local_and_repr_hides_the_token() -> None:
    client = GestlyClient("gst_secret_token")

    assert client.base_url == "http://127.0.0.1:8000/v1"
    assert "gst_secret_token" not in repr(client)
