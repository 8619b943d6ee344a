"""Verification: what passes, and every way a request fails, each with its error."""

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sdk_support import EVENT_ID, OTHER_SECRET, SECRET, VECTORS
from standardwebhooks import Webhook as StandardWebhook

from gestly_sdk import (
    CustomerCreated,
    Event,
    InvalidPayloadError,
    InvalidSecretError,
    MalformedHeaderError,
    MissingHeaderError,
    NonAsciiSignatureError,
    NotRawBodyError,
    SignatureMismatchError,
    TimestampTooNewError,
    TimestampTooOldError,
    Webhook,
    WebhookVerificationError,
    sign,
)


def test_genuine_delivery_returns_its_typed_event(
    body: bytes, headers: dict[str, str]
) -> None:
    event = Webhook(SECRET).verify(body, headers)

    assert isinstance(event, CustomerCreated)
    assert event.customer.name == "João Silva"
    assert event.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)


def test_body_given_as_text_verifies_too(body: bytes, headers: dict[str, str]) -> None:
    event = Webhook(SECRET).verify(body.decode(), headers)

    assert event.id == EVENT_ID


@pytest.mark.parametrize(
    "rename",
    [str.upper, str.title, lambda name: name.replace("-", "_").upper()],
    ids=["upper", "title", "underscores"],
)
def test_header_names_in_any_case_are_found(
    body: bytes, headers: dict[str, str], rename: Callable[[str], str]
) -> None:
    renamed = {rename(name): value for name, value in headers.items()}
    if "_" in next(iter(renamed)):
        renamed = {f"HTTP_{name}": value for name, value in renamed.items()}

    event = Webhook(SECRET).verify(body, renamed)

    assert event.id == EVENT_ID


def test_either_secret_verifies_during_a_rotation(body: bytes) -> None:
    now = int(time.time())
    new = sign(OTHER_SECRET, EVENT_ID, now, body)["webhook-signature"]
    old = sign(SECRET, EVENT_ID, now, body)["webhook-signature"]
    headers = {
        "webhook-id": EVENT_ID,
        "webhook-timestamp": str(now),
        "webhook-signature": f"{new} {old}",
    }

    assert Webhook(SECRET).verify(body, headers).id == EVENT_ID
    assert Webhook(OTHER_SECRET).verify(body, headers).id == EVENT_ID
    assert Webhook([OTHER_SECRET, SECRET]).verify(body, headers).id == EVENT_ID


def tampered(body: bytes, headers: dict[str, str]) -> tuple[Any, dict[str, str]]:
    return body.replace(b"Jo", b"jo"), headers


def respaced(body: bytes, headers: dict[str, str]) -> tuple[Any, dict[str, str]]:
    return json.dumps(json.loads(body), ensure_ascii=False).encode(), headers


def with_header(
    name: str, value: str | None
) -> Callable[..., tuple[Any, dict[str, str]]]:
    def change(body: bytes, headers: dict[str, str]) -> tuple[Any, dict[str, str]]:
        changed = dict(headers)
        if value is None:
            changed.pop(name)
        else:
            changed[name] = value
        return body, changed

    return change


def dated(offset: timedelta, in_milliseconds: bool = False) -> Callable[..., Any]:
    def change(body: bytes, headers: dict[str, str]) -> tuple[Any, dict[str, str]]:
        moment = datetime.now(UTC) + offset
        signed = sign(SECRET, EVENT_ID, moment, body)
        if in_milliseconds:
            millis = str(int(moment.timestamp() * 1000))
            signed = sign(SECRET, EVENT_ID, int(millis), body)
        return body, signed

    return change


BAD_REQUESTS = [
    (
        "wrong secret",
        lambda b, h: (b, sign(OTHER_SECRET, EVENT_ID, int(time.time()), b)),
        SignatureMismatchError,
    ),
    ("tampered body", tampered, SignatureMismatchError),
    ("body re-serialized with spaces", respaced, SignatureMismatchError),
    (
        "non-ASCII signature",
        with_header("webhook-signature", "v1,çñ∂"),
        NonAsciiSignatureError,
    ),
    (
        "bad base64",
        with_header("webhook-signature", "v1,not*base64"),
        MalformedHeaderError,
    ),
    (
        "no v1 signature",
        with_header("webhook-signature", "v2,abcd"),
        MalformedHeaderError,
    ),
    ("timestamp 10 minutes old", dated(timedelta(minutes=-10)), TimestampTooOldError),
    ("timestamp 10 minutes ahead", dated(timedelta(minutes=10)), TimestampTooNewError),
    (
        "timestamp in milliseconds",
        dated(timedelta(0), in_milliseconds=True),
        TimestampTooNewError,
    ),
    (
        "timestamp not a number",
        with_header("webhook-timestamp", "yesterday"),
        MalformedHeaderError,
    ),
    ("missing signature", with_header("webhook-signature", None), MissingHeaderError),
    ("missing id", with_header("webhook-id", None), MissingHeaderError),
    ("missing timestamp", with_header("webhook-timestamp", None), MissingHeaderError),
    ("empty body", lambda b, h: (b"", h), SignatureMismatchError),
    ("parsed body", lambda b, h: (json.loads(b), h), NotRawBodyError),
    ("no body", lambda b, h: (None, h), NotRawBodyError),
]


@pytest.mark.parametrize(
    ("change", "error"),
    [(change, error) for _, change, error in BAD_REQUESTS],
    ids=[name for name, _, _ in BAD_REQUESTS],
)
def test_bad_request_is_refused_with_its_own_error(
    body: bytes,
    headers: dict[str, str],
    change: Callable[..., tuple[Any, dict[str, str]]],
    error: type[WebhookVerificationError],
) -> None:
    bad_body, bad_headers = change(body, headers)

    with pytest.raises(error):
        Webhook(SECRET).verify(bad_body, bad_headers)


@pytest.mark.parametrize(
    "secret",
    [
        f" {SECRET}",
        f"{SECRET}\n",
        SECRET.removeprefix("whsec_"),
        "whsec_",
        "whsec_***",
        42,
    ],
    ids=[
        "leading space",
        "trailing newline",
        "no prefix",
        "empty",
        "not base64",
        "not text",
    ],
)
def test_malformed_secret_is_refused_at_once(secret: Any) -> None:
    with pytest.raises(InvalidSecretError):
        Webhook(secret)


def test_signed_body_that_is_not_an_event_is_refused() -> None:
    body = b"[1, 2, 3]"
    headers = sign(SECRET, EVENT_ID, int(time.time()), body)

    with pytest.raises(InvalidPayloadError):
        Webhook(SECRET).verify(body, headers)


def test_body_whose_id_differs_from_webhook_id_is_refused(body: bytes) -> None:
    headers = sign(SECRET, "evt_other", int(time.time()), body)

    with pytest.raises(InvalidPayloadError):
        Webhook(SECRET).verify(body, headers)


def test_body_only_signature_needs_an_explicit_opt_in(
    body: bytes, headers: dict[str, str]
) -> None:
    legacy = {"x-webhook-signature": headers["x-webhook-signature"]}

    with pytest.raises(MissingHeaderError):
        Webhook(SECRET).verify(body, legacy)
    assert Webhook(SECRET, allow_body_only=True).verify(body, legacy).id == EVENT_ID


def test_unknown_event_type_parses_as_a_plain_event() -> None:
    body = json.dumps(
        {
            "id": EVENT_ID,
            "type": "invoice.paid",
            "created_at": "2026-01-01T10:00:00Z",
            "data": {"x": 1},
        }
    ).encode()
    headers = sign(SECRET, EVENT_ID, int(time.time()), body)

    event = Webhook(SECRET).verify(body, headers)

    assert type(event) is Event
    assert event.data == {"x": 1}


@pytest.mark.parametrize("vector", VECTORS, ids=lambda vector: vector["webhook_id"])
def test_published_vectors_match_sign_and_standard_webhooks(
    vector: dict[str, Any],
) -> None:
    body = vector["body"].encode()
    moment = datetime.fromtimestamp(vector["timestamp"], UTC)

    headers = sign(vector["secret"], vector["webhook_id"], vector["timestamp"], body)
    standard = StandardWebhook(vector["secret"]).sign(
        vector["webhook_id"], moment, vector["body"]
    )

    assert headers["webhook-signature"] == vector["webhook_signature"] == standard
    assert headers["x-webhook-signature"] == vector["x_webhook_signature"]
    event = Webhook(vector["secret"]).verify(body, headers, now=vector["timestamp"] + 1)
    assert event.id == vector["webhook_id"]


def test_sign_converts_aware_times_to_utc_and_refuses_naive_ones(body: bytes) -> None:
    utc_moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    brasilia = utc_moment.astimezone(timezone(timedelta(hours=-3)))

    assert sign(SECRET, EVENT_ID, brasilia, body) == sign(
        SECRET, EVENT_ID, utc_moment, body
    )
    with pytest.raises(ValueError, match="aware"):
        sign(SECRET, EVENT_ID, datetime(2026, 1, 1, 12), body)


def test_random_garbage_only_ever_raises_verification_errors() -> None:
    rng = random.Random(20261204)
    webhook = Webhook(SECRET)
    now = int(time.time())
    for _ in range(2000):
        garbage = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
        text = garbage.decode("latin-1")
        headers = {
            "webhook-id": text[:20] or "x",
            "webhook-timestamp": rng.choice([str(now), text, ""]),
            "webhook-signature": rng.choice(["v1," + text, text, "v1,"]),
        }
        try:
            webhook.verify(garbage, headers)
        except WebhookVerificationError:
            continue
        pytest.fail(f"garbage verified: {garbage!r}")
