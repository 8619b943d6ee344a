"""Verification: what passes, and every way a request fails, each with its error."""

import base64
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook as StandardWebhook
from starlette.datastructures import Headers as StarletteHeaders
from werkzeug.datastructures import Headers as WerkzeugHeaders

from gestly_sdk import (
    CustomerCreated,
    EmptyBodyError,
    Event,
    InvalidBase64Error,
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
)
from sdk_support import (
    EVENT_ID,
    OTHER_SECRET,
    SECRET,
    VECTORS,
    envelope,
    signed_now,
)

Request = tuple[Any, Any]
Change = Callable[[bytes, dict[str, str]], Request]


@pytest.fixture
def body() -> bytes:
    return envelope()


@pytest.fixture
def headers(body: bytes) -> dict[str, str]:
    return signed_now(body)


def test_genuine_delivery_returns_its_typed_event(
    body: bytes, headers: dict[str, str]
) -> None:
    event = Webhook(SECRET).verify(body, headers)

    assert isinstance(event, CustomerCreated)
    assert event.customer.name == "João Silva"
    assert event.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)


def test_body_given_as_text_verifies_like_its_bytes(
    body: bytes, headers: dict[str, str]
) -> None:
    event = Webhook(SECRET).verify(body.decode(), headers)

    assert event.id == EVENT_ID


@pytest.mark.parametrize(
    "rename",
    [
        str.upper,
        str.title,
        lambda name: "HTTP_" + name.upper().replace("-", "_"),
    ],
    ids=["upper case", "title case", "django META"],
)
def test_header_names_in_other_cases_still_verify(
    body: bytes, headers: dict[str, str], rename: Callable[[str], str]
) -> None:
    renamed = {rename(name): value for name, value in headers.items()}

    event = Webhook(SECRET).verify(body, renamed)

    assert event.id == EVENT_ID


class LookupOnlyHeaders:
    """A headers object with get() and nothing else, case-sensitive."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get(self, name: str) -> str | None:
        return self.values.get(name)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda headers: StarletteHeaders(headers),
        lambda headers: WerkzeugHeaders(list(headers.items())),
        lambda headers: {
            name.encode(): value.encode() for name, value in headers.items()
        },
        lambda headers: LookupOnlyHeaders(
            {name.title(): value for name, value in headers.items()}
        ),
    ],
    ids=["starlette", "werkzeug", "raw bytes", "lookup only"],
)
def test_framework_header_objects_verify(
    body: bytes, headers: dict[str, str], wrap: Callable[[dict[str, str]], object]
) -> None:
    event = Webhook(SECRET).verify(body, wrap(headers))

    assert event.id == EVENT_ID


def test_either_secret_verifies_during_a_rotation(body: bytes) -> None:
    now = int(time.time())
    during_grace = Webhook([OTHER_SECRET, SECRET]).sign(EVENT_ID, now, body)

    for receiver in (Webhook(SECRET), Webhook([OTHER_SECRET, SECRET])):
        assert receiver.verify(body, during_grace).id == EVENT_ID


def test_receiver_with_only_the_new_secret_accepts_deliveries_during_grace(
    body: bytes,
) -> None:
    # During a rotation x-webhook-signature uses the older secret; the Standard
    # Webhooks signature holds both, and it is the one that is checked.
    during_grace = Webhook([OTHER_SECRET, SECRET]).sign(
        EVENT_ID, int(time.time()), body
    )

    event = Webhook(OTHER_SECRET).verify(body, during_grace)

    assert event.id == EVENT_ID


def test_unknown_signature_versions_are_skipped(
    body: bytes, headers: dict[str, str]
) -> None:
    headers["webhook-signature"] = "v2,abc= v1a,xyz " + headers["webhook-signature"]

    assert Webhook(SECRET).verify(body, headers).id == EVENT_ID


def respaced(body: bytes, headers: dict[str, str]) -> Request:
    return json.dumps(json.loads(body), ensure_ascii=False).encode(), headers


def with_header(name: str, value: str | None) -> Change:
    def change(body: bytes, headers: dict[str, str]) -> Request:
        changed = dict(headers)
        if value is None:
            changed.pop(name)
        else:
            changed[name] = value
        return body, changed

    return change


def dated(offset: timedelta, unit_s: float = 1) -> Change:
    def change(body: bytes, _headers: dict[str, str]) -> Request:
        moment = int((time.time() + offset.total_seconds()) / unit_s)
        return body, Webhook(SECRET).sign(EVENT_ID, moment, body)

    return change


def signed_body(raw: bytes, event_id: str = EVENT_ID) -> Change:
    def change(_body: bytes, _headers: dict[str, str]) -> Request:
        return raw, signed_now(raw, event_id=event_id)

    return change


# The table of bad requests, and then some: each refused with its own error.
BAD_REQUESTS: list[tuple[str, Change, type[WebhookVerificationError]]] = [
    (
        "wrong secret",
        lambda b, h: (b, signed_now(b, secret=OTHER_SECRET)),
        SignatureMismatchError,
    ),
    (
        "tampered body",
        lambda b, h: (b.replace(b"Jo", b"jo"), h),
        SignatureMismatchError,
    ),
    ("body re-serialized with spaces", respaced, SignatureMismatchError),
    (
        "non-ASCII signature",
        with_header("webhook-signature", "v1,çñ∂"),
        NonAsciiSignatureError,
    ),
    (
        "bad base64",
        with_header("webhook-signature", "v1,not*base64"),
        InvalidBase64Error,
    ),
    (
        "no v1 signature",
        with_header("webhook-signature", "v2,abcd"),
        MalformedHeaderError,
    ),
    ("timestamp 10 minutes old", dated(timedelta(minutes=-10)), TimestampTooOldError),
    ("timestamp 10 minutes ahead", dated(timedelta(minutes=10)), TimestampTooNewError),
    ("seconds given in milliseconds", dated(timedelta(0), 0.001), TimestampTooNewError),
    (
        "timestamp not a number",
        with_header("webhook-timestamp", "yesterday"),
        MalformedHeaderError,
    ),
    (
        "timestamp in other digits",
        with_header("webhook-timestamp", "١٧٦٧٢٢٥٦٠٠"),
        MalformedHeaderError,
    ),
    (
        "timestamp of 5000 digits",
        with_header("webhook-timestamp", "9" * 5000),
        MalformedHeaderError,
    ),
    ("missing signature", with_header("webhook-signature", None), MissingHeaderError),
    ("missing id", with_header("webhook-id", None), MissingHeaderError),
    ("missing timestamp", with_header("webhook-timestamp", None), MissingHeaderError),
    ("empty id", with_header("webhook-id", ""), MissingHeaderError),
    ("no headers", lambda b, h: (b, {}), MissingHeaderError),
    ("empty body", lambda b, h: (b"", h), EmptyBodyError),
    ("parsed body", lambda b, h: (json.loads(b), h), NotRawBodyError),
    ("body as a list", lambda b, h: ([b], h), NotRawBodyError),
    ("no body", lambda b, h: (None, h), NotRawBodyError),
    ("text with lone surrogates", lambda b, h: ("\ud800", h), NotRawBodyError),
    ("headers as None", lambda b, h: (b, None), MalformedHeaderError),
    ("headers as a list", lambda b, h: (b, list(h.items())), MalformedHeaderError),
    (
        "one header twice, differently",
        lambda b, h: (b, {**h, "Webhook-Id": "evt_other"}),
        MalformedHeaderError,
    ),
    (
        "signed body whose id is another event's",
        signed_body(envelope(event_id="evt_other")),
        InvalidPayloadError,
    ),
    ("signed body not JSON", signed_body(b"hello"), InvalidPayloadError),
    ("signed body not UTF-8", signed_body(b"\xff\xfe"), InvalidPayloadError),
    ("signed body a JSON list", signed_body(b"[1,2,3]"), InvalidPayloadError),
    ("signed body nested deep", signed_body(b"[" * 100_000), InvalidPayloadError),
]


@pytest.mark.parametrize(
    ("change", "error"),
    [(change, error) for _, change, error in BAD_REQUESTS],
    ids=[name for name, _, _ in BAD_REQUESTS],
)
def test_bad_request_is_refused_with_its_own_error(
    body: bytes,
    headers: dict[str, str],
    change: Change,
    error: type[WebhookVerificationError],
) -> None:
    bad_body, bad_headers = change(body, headers)

    with pytest.raises(WebhookVerificationError) as raised:
        Webhook(SECRET).verify(bad_body, bad_headers)

    assert type(raised.value) is error


@pytest.mark.parametrize(
    "secret",
    [
        f" {SECRET}",
        f"{SECRET}\n",
        f"\t{SECRET} ",
        SECRET.removeprefix("whsec_"),
        "WHSEC_" + SECRET.removeprefix("whsec_"),
        "whsec_",
        "whsec_***",
        "",
        42,
        None,
        SECRET.encode(),
        [],
    ],
    ids=[
        "leading space",
        "trailing newline",
        "surrounded by whitespace",
        "missing prefix",
        "prefix in upper case",
        "empty after prefix",
        "not base64",
        "empty",
        "a number",
        "None",
        "bytes",
        "no secrets",
    ],
)
def test_malformed_secret_is_refused_when_the_webhook_is_built(secret: Any) -> None:
    with pytest.raises(InvalidSecretError):
        Webhook(secret)


def test_secret_error_message_never_contains_the_secret() -> None:
    with pytest.raises(InvalidSecretError) as raised:
        Webhook(f" {SECRET}")

    assert SECRET.removeprefix("whsec_") not in str(raised.value)
    assert SECRET.removeprefix("whsec_") not in repr(Webhook(SECRET))


def test_only_body_signature_is_refused_by_default(
    body: bytes, headers: dict[str, str]
) -> None:
    legacy = {"x-webhook-signature": headers["x-webhook-signature"]}

    with pytest.raises(MissingHeaderError, match="allow_body_only") as raised:
        Webhook(SECRET).verify(body, legacy)

    assert raised.value.header == "webhook-signature"


def test_only_body_signature_is_accepted_when_allowed(
    body: bytes, headers: dict[str, str]
) -> None:
    legacy = {"X-Webhook-Signature": headers["x-webhook-signature"]}

    event = Webhook(SECRET, allow_body_only=True).verify(body, legacy)

    assert event.id == EVENT_ID


def test_only_body_signature_that_does_not_match_is_refused_when_allowed(
    body: bytes,
) -> None:
    legacy = {"x-webhook-signature": "ab" * 32}

    with pytest.raises(SignatureMismatchError):
        Webhook(SECRET, allow_body_only=True).verify(body, legacy)


def test_standard_headers_without_body_signature_verify(
    body: bytes, headers: dict[str, str]
) -> None:
    del headers["x-webhook-signature"]

    assert Webhook(SECRET).verify(body, headers).id == EVENT_ID


def test_unknown_event_type_parses_as_a_plain_event() -> None:
    body = envelope("invoice.paid", {"amount_cents": 1000})

    event = Webhook(SECRET).verify(body, signed_now(body))

    assert type(event) is Event
    assert event.data == {"amount_cents": 1000}


@pytest.mark.parametrize(
    ("offset", "tolerance", "accepted"),
    [
        (timedelta(minutes=-4), timedelta(minutes=5), True),
        (timedelta(minutes=4), timedelta(minutes=5), True),
        (timedelta(minutes=-10), timedelta(minutes=15), True),
        (timedelta(minutes=-2), timedelta(minutes=1), False),
    ],
    ids=["4 min old", "4 min ahead", "10 min old, 15 allowed", "2 min old, 1 allowed"],
)
def test_tolerance_bounds_the_timestamp_both_ways(
    body: bytes, offset: timedelta, tolerance: timedelta, accepted: bool
) -> None:
    now = datetime(2026, 1, 1, 10, tzinfo=UTC)
    headers = Webhook(SECRET).sign(EVENT_ID, now + offset, body)
    webhook = Webhook(SECRET, tolerance=tolerance)

    if accepted:
        assert webhook.verify(body, headers, now=now).id == EVENT_ID
    else:
        with pytest.raises(TimestampTooOldError):
            webhook.verify(body, headers, now=now)


def test_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        Webhook(SECRET, tolerance=timedelta(seconds=-1))


@pytest.mark.parametrize("vector", VECTORS, ids=lambda vector: vector["webhook_id"])
def test_published_vectors_match_sign(vector: dict[str, Any]) -> None:

    headers = Webhook(vector["secret"]).sign(
        vector["webhook_id"], vector["timestamp"], vector["body"].encode()
    )

    assert headers["webhook-signature"] == vector["webhook_signature"]
    assert headers["x-webhook-signature"] == vector["x_webhook_signature"]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda vector: vector["webhook_id"])
def test_published_vectors_match_the_standard_webhooks_library(
    vector: dict[str, Any],
) -> None:
    moment = datetime.fromtimestamp(vector["timestamp"], UTC)

    standard = StandardWebhook(vector["secret"]).sign(
        vector["webhook_id"], moment, vector["body"]
    )

    assert standard == vector["webhook_signature"]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda vector: vector["webhook_id"])
def test_readme_publishes_every_vector(vector: dict[str, Any]) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")

    for value in ("secret", "webhook_id", "body", "webhook_signature"):
        assert vector[value] in readme
    assert vector["x_webhook_signature"] in readme
    assert str(vector["timestamp"]) in readme


@pytest.mark.parametrize("vector", VECTORS, ids=lambda vector: vector["webhook_id"])
def test_published_vectors_verify_at_their_own_time(vector: dict[str, Any]) -> None:
    headers = {
        "webhook-id": vector["webhook_id"],
        "webhook-timestamp": str(vector["timestamp"]),
        "webhook-signature": vector["webhook_signature"],
        "x-webhook-signature": vector["x_webhook_signature"],
    }

    event = Webhook(vector["secret"]).verify(
        vector["body"].encode(), headers, now=vector["timestamp"]
    )

    assert event.id == vector["webhook_id"]


def test_standard_webhooks_library_accepts_what_sign_makes(body: bytes) -> None:
    headers = signed_now(body)

    payload = StandardWebhook(SECRET).verify(body, headers)

    assert payload["id"] == EVENT_ID


def test_sign_converts_aware_times_to_utc(body: bytes) -> None:
    utc_moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    brasilia = utc_moment.astimezone(timezone(timedelta(hours=-3)))

    signed = Webhook(SECRET).sign(EVENT_ID, brasilia, body)

    assert signed["webhook-timestamp"] == str(int(utc_moment.timestamp()))
    assert signed == Webhook(SECRET).sign(EVENT_ID, utc_moment, body)


@pytest.mark.parametrize(
    ("timestamp", "error"),
    [
        (datetime(2026, 1, 1, 12), ValueError),
        (-1, ValueError),
        (1.5, TypeError),
        (True, TypeError),
        ("1767225600", TypeError),
    ],
    ids=["naive datetime", "negative", "float", "bool", "text"],
)
def test_sign_refuses_timestamps_it_cannot_read_exactly(
    body: bytes, timestamp: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        Webhook(SECRET).sign(EVENT_ID, timestamp, body)


def test_several_secrets_sign_newest_first_and_body_with_the_oldest(
    body: bytes,
) -> None:
    both = Webhook([OTHER_SECRET, SECRET]).sign(EVENT_ID, 1767225600, body)
    newest = Webhook(OTHER_SECRET).sign(EVENT_ID, 1767225600, body)
    oldest = Webhook(SECRET).sign(EVENT_ID, 1767225600, body)

    assert both["webhook-signature"] == (
        f"{newest['webhook-signature']} {oldest['webhook-signature']}"
    )
    assert both["x-webhook-signature"] == oldest["x-webhook-signature"]


# Odd inputs a careless caller or an attacker could send. Each must end in a
# WebhookVerificationError, never another exception.
ODD_INPUTS: list[Request] = [
    (
        b"{}",
        {"webhook-id": "\x00", "webhook-timestamp": "0", "webhook-signature": "v1,"},
    ),
    (
        b"{}",
        {"webhook-id": "x", "webhook-timestamp": "1e10", "webhook-signature": "v1,a"},
    ),
    (
        b"{}",
        {"webhook-id": "x", "webhook-timestamp": " 1", "webhook-signature": "v1,a"},
    ),
    (
        b"{}",
        {"webhook-id": "x", "webhook-timestamp": "-1", "webhook-signature": "v1,a"},
    ),
    (b"{}", {"webhook-id": 1, "webhook-timestamp": 2, "webhook-signature": 3}),
    (b"{}", {1: "a", None: "b"}),
    (b"{}", {"webhook-signature": "v1"}),
    (
        b"{}",
        {"webhook-signature": "v1,==", "webhook-id": "x", "webhook-timestamp": "1"},
    ),
    (b"{}", {"x-webhook-signature": "\x00" * 64}),
    (b"{}", "webhook-id: x"),
    (b"{}", 42),
    (b"\x00" * 10_000, {"webhook-signature": "\t\n"}),
    (memoryview(b""), {}),
    (bytearray(b"{}"), {"webhook-id": "x"}),
    (3.14, {}),
    (object(), object()),
]


@pytest.mark.parametrize(("raw", "given"), ODD_INPUTS)
def test_odd_input_only_ever_raises_a_verification_error(raw: Any, given: Any) -> None:
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET, allow_body_only=True).verify(raw, given)


def random_request(rng: random.Random, body: bytes, now: int) -> Request:
    """A signed request with random damage, or random bytes throughout."""
    headers = Webhook(SECRET).sign(EVENT_ID, now, body)
    garbage = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 80)))
    text = garbage.decode("latin-1")
    choice = rng.randrange(5)
    if choice == 0:
        return garbage, {
            name: rng.choice([value, text]) for name, value in headers.items()
        }
    if choice == 1:
        position = rng.randrange(len(body))
        flipped = body[:position] + bytes([body[position] ^ 1]) + body[position + 1 :]
        return flipped, headers
    if choice == 2:
        signature = bytearray(base64.b64decode(headers["webhook-signature"][3:]))
        signature[rng.randrange(len(signature))] ^= 1 << rng.randrange(8)
        encoded = base64.b64encode(bytes(signature)).decode()
        return body, {**headers, "webhook-signature": "v1," + encoded}
    if choice == 3:
        name = rng.choice(["webhook-id", "webhook-timestamp", "webhook-signature"])
        return body, {**headers, name: text}
    return garbage, {text[:10]: text, "webhook-timestamp": str(now)}


@pytest.mark.parametrize(
    ("signature", "error"),
    [
        ("é" * 64, NonAsciiSignatureError),
        ("xyz", MalformedHeaderError),
        ("0" * 64, SignatureMismatchError),
    ],
    ids=["non-ASCII", "not hex", "of another body"],
)
def test_bad_body_signature_alone_is_refused_in_body_only_mode(
    body: bytes, signature: str, error: type[WebhookVerificationError]
) -> None:
    with pytest.raises(error):
        Webhook(SECRET, allow_body_only=True).verify(
            body, {"x-webhook-signature": signature}
        )


def test_a_wrong_body_signature_beside_a_good_standard_one_is_ignored(
    body: bytes, headers: dict[str, str]
) -> None:
    headers["x-webhook-signature"] = "0" * 64

    assert Webhook(SECRET).verify(body, headers).id == EVENT_ID


def test_random_requests_only_ever_raise_verification_errors(body: bytes) -> None:
    rng = random.Random(20260101)
    webhook = Webhook(SECRET)
    now = int(time.time())

    outcomes: list[str] = []
    for _ in range(3000):
        raw, headers = random_request(rng, body, now)
        try:
            webhook.verify(raw, headers, now=now)
        except WebhookVerificationError as error:
            outcomes.append(error.code)
        else:
            outcomes.append("accepted")

    assert "accepted" not in outcomes
    assert len(set(outcomes)) > 4
