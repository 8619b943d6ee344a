"""Bad input to the webhook API, end to end: every refusal is a 4xx JSON error
``{"error": {"code", "message", "field"}}`` that names what is wrong, no route answers
500, and a refused request writes nothing."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Row, select

from gestly.api.middleware import MAX_BODY_BYTES
from gestly.clock import ManualClock
from gestly.delivery.resolver import HostLookupError
from gestly.storage.accounts import revoke_token
from gestly.storage.schema import (
    api_tokens,
    attempts,
    deliveries,
    endpoints,
    events,
    idempotency_keys,
)
from tests.support.harness import Client, Gestly

pytestmark = pytest.mark.anyio

# Well-formed ids that no test ever creates.
UNKNOWN_ENDPOINT_ID = "we_01JD0000000000000000000000"
UNKNOWN_EVENT_ID = "evt_01JD0000000000000000000000"
UNKNOWN_DELIVERY_ID = "del_01JD0000000000000000000000"

# Loopback receivers are allowed in development mode; nothing listens on port 9.
RECEIVER_URL = "http://127.0.0.1:9/webhooks"
WRITTEN_TABLES = (endpoints, events, deliveries, attempts, idempotency_keys)


async def refuse_every_lookup(host: str, _port: int) -> list[str]:
    """DNS for these tests: hosts are named by address, so no name ever resolves."""
    raise HostLookupError(f"the host {host!r} does not resolve (no DNS in tests)")


@pytest.fixture
async def gestly(database_url: str, clock: ManualClock) -> AsyncIterator[Gestly]:
    """The suite's development-mode Gestly, kept away from real DNS."""
    harness = await Gestly(database_url, clock, lookup=refuse_every_lookup).start()
    yield harness
    await harness.stop()


@pytest.fixture
async def client(gestly: Gestly) -> AsyncIterator[Client]:
    client = await gestly.new_account()
    yield client
    await client.close()


@pytest.fixture
async def endpoint(client: Client) -> dict[str, Any]:
    return await client.create_endpoint(
        RECEIVER_URL, description="Agenda", events=["appointment.create"]
    )


def assert_error(
    response: httpx.Response, status: int, field: str | None, *mentions: str
) -> dict[str, Any]:
    """Check the documented error shape; each of ``mentions`` is in the message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "field"}
    assert error["field"] == field, error
    for text in mentions:
        assert text in error["message"], error["message"]
    return error


async def snapshot(gestly: Gestly) -> dict[str, list[Row[Any]]]:
    """Every row of the tables a webhook request may write, in key order."""
    async with gestly.database.read() as connection:
        return {
            table.name: [
                row
                for row in await connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                )
            ]
            for table in WRITTEN_TABLES
        }


async def count_endpoints(gestly: Gestly) -> int:
    return len((await snapshot(gestly))["endpoints"])


async def wait_for_stored_key(gestly: Gestly, key: str) -> None:
    """Wait until ``key``'s answer is stored.

    The answer is stored only after the response has gone out (see
    ``test_idempotency_key_is_stored_before_the_response_is_sent``); the replay
    tests wait for it so that they check replays alone.
    """
    for _ in range(500):
        stored = (await snapshot(gestly))["idempotency_keys"]
        if any(row.key == key for row in stored):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"Idempotency-Key {key!r} was never stored")


# POST /v1/webhook_endpoints ----------------------------------------------------------

WRONG_CREATE_FIELDS = [
    pytest.param({"url": 12345}, "url", "12345", id="url-number"),
    pytest.param({"url": None}, "url", "url", id="url-null"),
    pytest.param({"description": "Agenda"}, "url", "url is required", id="url-missing"),
    pytest.param({"url": RECEIVER_URL, "enabled": "yes"}, "enabled", "'yes'", id="yes"),
    pytest.param({"url": RECEIVER_URL, "enabled": 1}, "enabled", "1", id="enabled-1"),
    pytest.param(
        {"url": RECEIVER_URL, "events": "appointment.create"},
        "events",
        "'appointment.create'",
        id="events-string",
    ),
    pytest.param(
        {"url": RECEIVER_URL, "events": ["appointment.create", "nope.event"]},
        "events",
        "'nope.event'",
        id="events-unknown-type",
    ),
    pytest.param(
        {"url": RECEIVER_URL, "events": [42]}, "events[0]", "42", id="events-number"
    ),
    pytest.param(
        {"url": RECEIVER_URL, "description": "x" * 501},
        "description",
        "500",
        id="description-501-chars",
    ),
    pytest.param(
        {"url": RECEIVER_URL, "description": 7}, "description", "7", id="description-7"
    ),
    pytest.param(
        {"url": RECEIVER_URL, "secret": "whsec_mine"},
        "secret",
        "not a known field",
        id="unknown-field",
    ),
    # PostgreSQL text cannot hold U+0000; SQLite stores it. Refuse it on both.
    pytest.param(
        {"url": RECEIVER_URL, "description": "Agenda\u0000"},
        "description",
        "description",
        id="description-nul-character",
    ),
]


@pytest.mark.parametrize(("body", "field", "mention"), WRONG_CREATE_FIELDS)
async def test_create_endpoint_with_wrong_field_is_422_naming_it_and_writes_nothing(
    gestly: Gestly, client: Client, body: dict[str, Any], field: str, mention: str
) -> None:
    response = await client.post("/v1/webhook_endpoints", json=body)

    assert_error(response, 422, field, mention)
    assert await count_endpoints(gestly) == 0


MALFORMED_URLS = [
    pytest.param("127.0.0.1/webhooks", "https://", id="no-scheme"),
    pytest.param("ftp://127.0.0.1/webhooks", "https://", id="ftp"),
    pytest.param("javascript:alert(1)", "https://", id="javascript"),
    pytest.param("", "https://", id="empty"),
    pytest.param("http://127.0.0.1/my webhooks", "spaces", id="space"),
    pytest.param("http://127.0.0.1/web\thooks", "control", id="tab"),
    pytest.param("http://user:pass@127.0.0.1/webhooks", "password", id="userinfo"),
    pytest.param("http://127.0.0.1/webhooks#top", "fragment", id="fragment"),
    pytest.param("http://127.0.0.1/" + "a" * 3000, "2048", id="3000-chars"),
    pytest.param("http:///webhooks", "host", id="no-host"),
    pytest.param("http://[::1/webhooks", "malformed", id="open-bracket"),
    pytest.param("http://127.0.0.1:99999/webhooks", "65535", id="port-too-big"),
    pytest.param("http://127.0.0.1:0/webhooks", "port", id="port-zero"),
    pytest.param("http://bad_host.test/webhooks", "'bad_host.test'", id="underscore"),
]


@pytest.mark.parametrize(("url", "mention"), MALFORMED_URLS)
async def test_create_endpoint_with_malformed_url_is_422_on_url_and_writes_nothing(
    gestly: Gestly, client: Client, url: str, mention: str
) -> None:
    response = await client.post("/v1/webhook_endpoints", json={"url": url})

    assert_error(response, 422, "url", mention)
    assert await count_endpoints(gestly) == 0


async def test_create_endpoint_with_invalid_json_is_400_invalid_json(
    gestly: Gestly, client: Client
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints",
        content=b'{"url": "http://127.0.0.1:9/webhooks",',
        headers={"content-type": "application/json"},
    )

    error = assert_error(response, 400, None, "JSON")
    assert error["code"] == "invalid_json"
    assert await count_endpoints(gestly) == 0


async def test_create_endpoint_with_body_not_utf8_is_400_invalid_json(
    gestly: Gestly, client: Client
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints",
        content=b'{"url": "http://127.0.0.1:9/\xff"}',
        headers={"content-type": "application/json"},
    )

    error = assert_error(response, 400, None)
    assert error["code"] == "invalid_json"
    assert await count_endpoints(gestly) == 0


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'[{"url": "http://127.0.0.1:9/webhooks"}]', id="array"),
        pytest.param(b'"http://127.0.0.1:9/webhooks"', id="string"),
        pytest.param(b"null", id="null"),
    ],
)
async def test_create_endpoint_with_body_not_an_object_is_422_saying_so(
    gestly: Gestly, client: Client, content: bytes
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints",
        content=content,
        headers={"content-type": "application/json"},
    )

    error = assert_error(response, 422, None, "JSON object")
    assert "None" not in error["message"]
    assert await count_endpoints(gestly) == 0


async def test_create_endpoint_with_empty_body_is_422_asking_for_a_body(
    gestly: Gestly, client: Client
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints",
        content=b"",
        headers={"content-type": "application/json"},
    )

    error = assert_error(response, 422, None, "body")
    assert "None" not in error["message"]
    assert await count_endpoints(gestly) == 0


async def test_body_over_one_mebibyte_is_413(gestly: Gestly, client: Client) -> None:
    body = b'{"url": "http://127.0.0.1:9/webhooks", "description": "'
    body += b"x" * MAX_BODY_BYTES + b'"}'

    response = await client.post(
        "/v1/webhook_endpoints",
        content=body,
        headers={"content-type": "application/json"},
    )

    error = assert_error(response, 413, None, str(MAX_BODY_BYTES))
    assert error["code"] == "payload_too_large"
    assert await count_endpoints(gestly) == 0


async def test_chunked_body_over_one_mebibyte_is_413(
    gestly: Gestly, client: Client
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"url": "http://127.0.0.1:9/webhooks", "description": "'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'

    response = await client.post(
        "/v1/webhook_endpoints",
        content=chunks(),
        headers={"content-type": "application/json"},
    )

    error = assert_error(response, 413, None)
    assert error["code"] == "payload_too_large"
    assert await count_endpoints(gestly) == 0


# PATCH / GET / DELETE /v1/webhook_endpoints/{id} -------------------------------------

WRONG_UPDATES = [
    pytest.param({"url": 12345}, "url", "12345", id="url-number"),
    pytest.param({"url": None}, "url", "null", id="url-null"),
    pytest.param({"url": "ftp://127.0.0.1/webhooks"}, "url", "https://", id="ftp"),
    pytest.param({"url": "http://10.0.0.1/webhooks"}, "url", "10.0.0.1", id="private"),
    pytest.param({"enabled": "yes"}, "enabled", "'yes'", id="enabled-yes"),
    pytest.param({"enabled": None}, "enabled", "null", id="enabled-null"),
    pytest.param({"events": "appointment.create"}, "events", "appointment", id="str"),
    pytest.param({"events": ["nope.event"]}, "events", "'nope.event'", id="unknown"),
    pytest.param({"description": "x" * 501}, "description", "500", id="long"),
    pytest.param({"description": None}, "description", "null", id="description-null"),
    pytest.param({"secret": "whsec_mine"}, "secret", "not a known field", id="secret"),
    pytest.param(
        {"description": "Novo", "enabled": False, "url": "http://[::1/webhooks"},
        "url",
        "malformed",
        id="good-fields-with-bad-url",
    ),
    pytest.param(
        {"url": "http://127.0.0.1:9/new", "description": "Novo", "enabled": "no"},
        "enabled",
        "'no'",
        id="good-fields-with-bad-enabled",
    ),
    pytest.param(
        {"description": "Agenda\u0000"}, "description", "description", id="nul"
    ),
]


@pytest.mark.parametrize(("body", "field", "mention"), WRONG_UPDATES)
async def test_update_endpoint_with_wrong_field_is_422_and_changes_nothing(
    gestly: Gestly,
    client: Client,
    endpoint: dict[str, Any],
    body: dict[str, Any],
    field: str,
    mention: str,
) -> None:
    path = f"/v1/webhook_endpoints/{endpoint['id']}"
    before = await snapshot(gestly)

    response = await client.patch(path, json=body)

    assert_error(response, 422, field, mention)
    assert (await client.get(path)).json() == endpoint
    assert await snapshot(gestly) == before


@pytest.mark.parametrize(
    ("content", "status"),
    [
        pytest.param(b'{"description": ', 400, id="invalid-json"),
        pytest.param(b'[{"description": "Novo"}]', 422, id="array"),
    ],
)
async def test_update_endpoint_with_unreadable_body_changes_nothing(
    gestly: Gestly,
    client: Client,
    endpoint: dict[str, Any],
    content: bytes,
    status: int,
) -> None:
    path = f"/v1/webhook_endpoints/{endpoint['id']}"
    before = await snapshot(gestly)

    response = await client.patch(
        path, content=content, headers={"content-type": "application/json"}
    )

    assert_error(response, status, None)
    assert (await client.get(path)).json() == endpoint
    assert await snapshot(gestly) == before


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "endpoint_id",
    [UNKNOWN_ENDPOINT_ID, "garbage", UNKNOWN_EVENT_ID],
    ids=["unknown", "garbage", "other-prefix"],
)
async def test_unknown_endpoint_id_is_404_naming_the_id(
    gestly: Gestly, client: Client, method: str, endpoint_id: str
) -> None:
    body = {"description": "Novo"} if method == "PATCH" else None

    response = await client.request(
        method, f"/v1/webhook_endpoints/{endpoint_id}", json=body
    )

    error = assert_error(response, 404, None, repr(endpoint_id))
    assert error["code"] == "not_found"
    assert await count_endpoints(gestly) == 0


# POST /v1/webhook_endpoints/{id}/rotate_secret ---------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "mention"),
    [
        pytest.param({"grace_period_hours": -1}, "grace_period_hours", "-1", id="-1"),
        pytest.param(
            {"grace_period_hours": 169}, "grace_period_hours", "169", id="169"
        ),
        pytest.param(
            {"grace_period_hours": "24"}, "grace_period_hours", "'24'", id="string"
        ),
        pytest.param(
            {"grace_period_hours": 1.5}, "grace_period_hours", "1.5", id="1.5"
        ),
        pytest.param(
            {"grace_period_hours": True}, "grace_period_hours", "True", id="true"
        ),
        pytest.param({"grace_hours": 24}, "grace_hours", "not a known", id="unknown"),
    ],
)
async def test_rotate_secret_with_bad_grace_period_is_422_and_keeps_the_secret(
    gestly: Gestly,
    client: Client,
    endpoint: dict[str, Any],
    body: dict[str, Any],
    field: str,
    mention: str,
) -> None:
    before = await snapshot(gestly)

    response = await client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret", json=body
    )

    assert_error(response, 422, field, mention)
    current = (await client.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()
    assert current["secret"] == endpoint["secret"]
    assert await snapshot(gestly) == before


@pytest.mark.parametrize("hours", [0, 168])
async def test_rotate_secret_accepts_grace_period_bounds(
    client: Client, endpoint: dict[str, Any], hours: int
) -> None:
    response = await client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret",
        json={"grace_period_hours": hours},
    )

    assert response.status_code == 200, response.text
    assert response.json()["secret"] != endpoint["secret"]


async def test_rotate_secret_of_unknown_endpoint_is_404(client: Client) -> None:
    response = await client.post(
        f"/v1/webhook_endpoints/{UNKNOWN_ENDPOINT_ID}/rotate_secret",
        json={"grace_period_hours": 24},
    )

    assert_error(response, 404, None, UNKNOWN_ENDPOINT_ID)


# POST /v1/webhook_endpoints/{id}/test -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "mention"),
    [
        pytest.param({"type": "nope.event"}, "type", "'nope.event'", id="unknown"),
        pytest.param({"type": 5}, "type", "5", id="number"),
        pytest.param({"type": ["review.create"]}, "type", "type", id="list"),
        pytest.param({"kind": "review.create"}, "kind", "not a known", id="field"),
    ],
)
async def test_send_test_event_with_bad_type_is_422_and_publishes_nothing(
    gestly: Gestly,
    client: Client,
    endpoint: dict[str, Any],
    body: dict[str, Any],
    field: str,
    mention: str,
) -> None:
    before = await snapshot(gestly)

    response = await client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/test", json=body
    )

    assert_error(response, 422, field, mention)
    assert await snapshot(gestly) == before


async def test_send_test_event_to_unknown_endpoint_is_404_and_publishes_nothing(
    gestly: Gestly, client: Client
) -> None:
    response = await client.post(
        f"/v1/webhook_endpoints/{UNKNOWN_ENDPOINT_ID}/test",
        json={"type": "review.create"},
    )

    assert_error(response, 404, None, UNKNOWN_ENDPOINT_ID)
    assert (await snapshot(gestly))["events"] == []


# POST /v1/webhook_endpoints/{id}/recover ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "mention"),
    [
        pytest.param({"since": "yesterday"}, 400, "'yesterday'", id="word"),
        pytest.param({"since": "2026-01-02T14:00:00"}, 400, "offset", id="no-offset"),
        pytest.param({"since": "2026-13-45T99:00:00Z"}, 400, "2026-13-45", id="date"),
        pytest.param({"since": 1767225600}, 422, "1767225600", id="unix-number"),
        pytest.param({"since": None}, 422, "since", id="null"),
        pytest.param({}, 422, "since is required", id="missing"),
        pytest.param({"since": "9999-12-31T23:59:59-01:00"}, 400, "9999", id="after"),
        pytest.param({"since": "0001-01-01T00:00:00+01:00"}, 400, "0001", id="before"),
    ],
)
async def test_recover_with_bad_since_is_4xx_on_since_and_changes_nothing(
    gestly: Gestly,
    client: Client,
    endpoint: dict[str, Any],
    body: dict[str, Any],
    status: int,
    mention: str,
) -> None:
    before = await snapshot(gestly)

    response = await client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/recover", json=body
    )

    assert_error(response, status, "since", mention)
    assert await snapshot(gestly) == before


async def test_recover_without_body_is_422_naming_since(
    client: Client, endpoint: dict[str, Any]
) -> None:
    response = await client.post(f"/v1/webhook_endpoints/{endpoint['id']}/recover")

    error = assert_error(response, 422, "since", "since")
    assert "None" not in error["message"]


# GET /v1/events and /v1/webhook_deliveries ------------------------------------------

TIME_VALUES = (
    "yesterday",
    "2026-01-02T14:00:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
)


def bad_list_queries() -> list[Any]:
    """(path, query, status, field, mention) for every list route's bad filters."""
    cases = [
        pytest.param("/v1/events", {"type": "nope"}, 400, "type", "'nope'", id="ev-t"),
        pytest.param(
            "/v1/events", {"event_type": "nope"}, 400, "event_type", "nope", id="ev-et"
        ),
        pytest.param(
            "/v1/webhook_deliveries",
            {"status": "bogus"},
            400,
            "status",
            "'bogus'",
            id="del-status",
        ),
        pytest.param(
            "/v1/webhook_deliveries",
            {"event_type": "nope"},
            400,
            "event_type",
            "'nope'",
            id="del-event_type",
        ),
    ]
    lists = [
        ("/v1/webhook_endpoints", "we"),
        ("/v1/events", "ev"),
        ("/v1/webhook_deliveries", "del"),
    ]
    for path, short in lists:
        cases += [
            pytest.param(
                path, {"cursor": "garbage"}, 400, "cursor", "'garbage'", id=f"{short}-c"
            ),
            pytest.param(
                path,
                {"cursor": f"xx_{UNKNOWN_ENDPOINT_ID[3:]}"},
                400,
                "cursor",
                "xx_",
                id=f"{short}-cursor-other-prefix",
            ),
        ]
        cases += [
            pytest.param(
                path, {"limit": value}, 422, "limit", repr(value), id=f"{short}-{value}"
            )
            for value in ("0", "101", "abc", "-5")
        ]
        if path == "/v1/webhook_endpoints":
            continue
        cases += [
            pytest.param(
                path, {name: value}, 400, name, value, id=f"{short}-{name}-{value}"
            )
            for name in ("created_after", "created_before")
            for value in TIME_VALUES
        ]
    return cases


@pytest.mark.parametrize(
    ("path", "query", "status", "field", "mention"), bad_list_queries()
)
async def test_list_with_bad_filter_is_4xx_naming_the_filter_and_value(
    client: Client,
    path: str,
    query: dict[str, str],
    status: int,
    field: str,
    mention: str,
) -> None:
    response = await client.get(path, params=query)

    assert_error(response, status, field, mention)


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/events/{UNKNOWN_EVENT_ID}",
        f"/v1/webhook_deliveries/{UNKNOWN_DELIVERY_ID}",
        "/v1/events/garbage",
        "/v1/webhook_deliveries/garbage",
    ],
)
async def test_get_unknown_event_or_delivery_is_404(client: Client, path: str) -> None:
    response = await client.get(path)

    error = assert_error(response, 404, None, path.rsplit("/", 1)[1])
    assert error["code"] == "not_found"


@pytest.mark.parametrize(
    "delivery_id",
    [UNKNOWN_DELIVERY_ID, "garbage", UNKNOWN_EVENT_ID],
    ids=["unknown", "garbage", "other-prefix"],
)
async def test_retry_of_unknown_delivery_is_404_and_writes_nothing(
    gestly: Gestly, client: Client, delivery_id: str
) -> None:
    before = await snapshot(gestly)

    response = await client.post(f"/v1/webhook_deliveries/{delivery_id}/retry")

    assert_error(response, 404, None, repr(delivery_id))
    assert await snapshot(gestly) == before


# A NUL byte is valid in a URL path and in JSON, but PostgreSQL text cannot hold it.
NUL_REQUESTS = [
    ("GET", "/v1/webhook_endpoints/we_%00", None),
    ("PATCH", "/v1/webhook_endpoints/we_%00", {"description": "Novo"}),
    ("DELETE", "/v1/webhook_endpoints/we_%00", None),
    ("POST", "/v1/webhook_endpoints/we_%00/rotate_secret", None),
    ("POST", "/v1/webhook_endpoints/we_%00/test", None),
    ("POST", "/v1/webhook_endpoints/we_%00/recover", {"since": "2026-01-01T00:00:00Z"}),
    ("GET", "/v1/events/evt_%00", None),
    ("GET", "/v1/webhook_deliveries/del_%00", None),
    ("POST", "/v1/webhook_deliveries/del_%00/retry", None),
    ("GET", "/v1/webhook_deliveries?endpoint_id=we_%00", None),
    ("GET", "/v1/webhook_deliveries?event_id=evt_%00", None),
    ("GET", "/v1/event_types/review.%00", None),
]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    NUL_REQUESTS,
    ids=[f"{m} {p}" for m, p, _ in NUL_REQUESTS],
)
async def test_nul_byte_in_an_id_is_never_a_500(
    client: Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(method, path, json=body)

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_error(response, response.status_code, response.json()["error"]["field"])


async def test_unknown_route_and_method_are_json_errors(client: Client) -> None:
    missing = await client.get("/v1/webhook_endpointz")
    wrong_method = await client.request("PUT", "/v1/webhook_endpoints")

    assert assert_error(missing, 404, None)["code"] == "not_found"
    assert assert_error(wrong_method, 405, None)["code"] == "method_not_allowed"


# Authentication ---------------------------------------------------------------------

PROTECTED_ROUTES = [
    ("GET", "/v1/webhook_endpoints"),
    ("POST", "/v1/webhook_endpoints"),
    ("GET", f"/v1/webhook_endpoints/{UNKNOWN_ENDPOINT_ID}"),
    ("PATCH", f"/v1/webhook_endpoints/{UNKNOWN_ENDPOINT_ID}"),
    ("DELETE", f"/v1/webhook_endpoints/{UNKNOWN_ENDPOINT_ID}"),
    ("POST", f"/v1/webhook_endpoints/{UNKNOWN_ENDPOINT_ID}/rotate_secret"),
    ("POST", f"/v1/webhook_endpoints/{UNKNOWN_ENDPOINT_ID}/test"),
    ("POST", f"/v1/webhook_endpoints/{UNKNOWN_ENDPOINT_ID}/recover"),
    ("GET", "/v1/events"),
    ("GET", f"/v1/events/{UNKNOWN_EVENT_ID}"),
    ("GET", "/v1/webhook_deliveries"),
    ("GET", f"/v1/webhook_deliveries/{UNKNOWN_DELIVERY_ID}"),
    ("POST", f"/v1/webhook_deliveries/{UNKNOWN_DELIVERY_ID}/retry"),
    ("GET", "/v1/event_types"),
]
VALID_BODY = {"url": RECEIVER_URL, "since": "2026-01-01T00:00:00Z"}


async def answers_without_401(
    gestly: Gestly, headers: dict[str, str]
) -> list[tuple[str, str, int, str]]:
    """Call every protected route with ``headers``; list those not answering 401
    as documented (JSON error, ``WWW-Authenticate: Bearer``)."""
    wrong = []
    async with httpx.AsyncClient(base_url=gestly.base_url, headers=headers) as http:
        for method, path in PROTECTED_ROUTES:
            body = {"url": RECEIVER_URL} if path == "/v1/webhook_endpoints" else None
            response = await http.request(method, path, json=body)
            documented = (
                response.status_code == 401
                and response.headers.get("www-authenticate") == "Bearer"
                and response.headers["content-type"].startswith("application/json")
                and response.json()["error"]["code"] == "unauthorized"
            )
            if not documented:
                wrong.append((method, path, response.status_code, response.text))
    return wrong


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("Bearer", id="bearer-without-token"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic"),
        pytest.param("gst_notatoken", id="no-scheme"),
        pytest.param("Bearer gst_notatoken", id="unknown-token"),
    ],
)
async def test_every_route_without_a_live_token_is_401_with_www_authenticate(
    gestly: Gestly, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    wrong = await answers_without_401(gestly, headers)

    assert wrong == []
    assert await snapshot(gestly) == {table.name: [] for table in WRITTEN_TABLES}


async def test_revoked_token_is_401_on_every_route_and_writes_nothing(
    gestly: Gestly, client: Client, endpoint: dict[str, Any]
) -> None:
    async with gestly.database.transaction() as tx:
        token_id = await tx.connection.scalar(
            select(api_tokens.c.id).where(api_tokens.c.account_id == client.account_id)
        )
        assert await revoke_token(
            tx, account_id=client.account_id, token_id=token_id, now=gestly.clock.now()
        )
    before = await snapshot(gestly)

    wrong = await answers_without_401(
        gestly, {"Authorization": f"Bearer {client.token}"}
    )
    message = (await client.get("/v1/webhook_endpoints")).json()["error"]["message"]

    assert wrong == []
    assert "revoked" in message
    assert await snapshot(gestly) == before


# Idempotency-Key --------------------------------------------------------------------


async def test_same_post_with_same_key_is_replayed_and_creates_one_endpoint(
    gestly: Gestly, client: Client
) -> None:
    body = {"url": RECEIVER_URL, "description": "Agenda"}
    headers = {"Idempotency-Key": "create-agenda-hook-1"}

    first = await client.post("/v1/webhook_endpoints", json=body, headers=headers)
    await wait_for_stored_key(gestly, "create-agenda-hook-1")
    second = await client.post("/v1/webhook_endpoints", json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert await count_endpoints(gestly) == 1


async def test_same_key_with_different_body_is_422_and_creates_nothing_more(
    gestly: Gestly, client: Client
) -> None:
    headers = {"Idempotency-Key": "create-agenda-hook-1"}
    await client.post(
        "/v1/webhook_endpoints", json={"url": RECEIVER_URL}, headers=headers
    )
    await wait_for_stored_key(gestly, "create-agenda-hook-1")

    response = await client.post(
        "/v1/webhook_endpoints",
        json={"url": "http://127.0.0.1:9/other"},
        headers=headers,
    )

    error = assert_error(response, 422, "Idempotency-Key", "Idempotency-Key")
    assert error["code"] == "idempotency_key_reused"
    assert await count_endpoints(gestly) == 1


async def test_same_key_on_another_route_is_422(
    gestly: Gestly, client: Client, endpoint: dict[str, Any]
) -> None:
    headers = {"Idempotency-Key": "key-used-twice"}
    await client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret", headers=headers
    )
    await wait_for_stored_key(gestly, "key-used-twice")
    before = await snapshot(gestly)

    response = await client.post(
        "/v1/webhook_endpoints", json={"url": RECEIVER_URL}, headers=headers
    )

    assert_error(response, 422, "Idempotency-Key")
    assert await snapshot(gestly) == before


async def test_idempotency_key_is_stored_before_the_response_is_sent(
    gestly: Gestly, client: Client
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints",
        json={"url": RECEIVER_URL},
        headers={"Idempotency-Key": "stored-first"},
    )
    stored = (await snapshot(gestly))["idempotency_keys"]

    assert response.status_code == 201
    assert [row.key for row in stored] == ["stored-first"]


@pytest.mark.parametrize(
    "key", [pytest.param("k" * 256, id="256-chars"), pytest.param("", id="empty")]
)
async def test_idempotency_key_empty_or_over_255_chars_is_400_and_creates_nothing(
    gestly: Gestly, client: Client, key: str
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints",
        json={"url": RECEIVER_URL},
        headers={"Idempotency-Key": key},
    )

    error = assert_error(response, 400, "Idempotency-Key", "255")
    assert error["code"] == "invalid_idempotency_key"
    assert await snapshot(gestly) == {table.name: [] for table in WRITTEN_TABLES}


async def test_idempotency_key_of_255_chars_is_accepted(
    gestly: Gestly, client: Client
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints",
        json={"url": RECEIVER_URL},
        headers={"Idempotency-Key": "k" * 255},
    )

    assert response.status_code == 201, response.text
    assert await count_endpoints(gestly) == 1


class GatedLookup:
    """A resolver whose first call waits until a second call arrives (or until
    ``release``), so two requests are certainly in flight together."""

    def __init__(self) -> None:
        self.calls = 0
        self.first_waiting = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, _host: str, _port: int) -> list[str]:
        self.calls += 1
        if self.calls == 1:
            self.first_waiting.set()
            await self.release.wait()
        else:
            self.release.set()
        return ["93.184.215.14"]


async def test_same_key_sent_twice_at_once_creates_one_endpoint(
    database_url: str, clock: ManualClock
) -> None:
    lookup = GatedLookup()
    harness = await Gestly(
        database_url, clock, lookup=lookup, with_worker=False
    ).start()
    client = await harness.new_account()
    body = {"url": "https://hooks.example.com/webhooks"}
    headers = {"Idempotency-Key": "create-once"}
    try:
        first = asyncio.create_task(
            client.post("/v1/webhook_endpoints", json=body, headers=headers)
        )
        await asyncio.wait_for(lookup.first_waiting.wait(), 10)
        second = await asyncio.wait_for(
            client.post("/v1/webhook_endpoints", json=body, headers=headers), 10
        )
        lookup.release.set()
        first_response = await first
        created = await count_endpoints(harness)
    finally:
        lookup.release.set()
        await client.close()
        await harness.stop()

    assert created == 1
    assert first_response.status_code == 201
    assert second.status_code == 409 or (
        second.headers.get("idempotent-replayed") == "true"
    ), (second.status_code, second.text)
