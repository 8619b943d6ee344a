"""Verifying deliveries: standard library only, constant-time comparisons.

A delivery carries two signatures:

- ``webhook-signature`` (Standard Webhooks) signs the event id, this attempt's Unix
  timestamp and the raw body. With the timestamp window it also stops replays, so it
  is required.
- ``x-webhook-signature`` (the hex HMAC of the public docs) signs the body alone, so
  once ``webhook-signature`` has matched it adds nothing and is not checked (during a
  secret rotation it is signed with the older secret, which a receiver that already
  switched may not hold). On its own it cannot tell a fresh request from a captured
  one, so a request carrying only it is refused unless the ``Webhook`` was built
  with ``allow_body_only=True``.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from gestly_sdk._errors import (
    EmptyBodyError,
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
)
from gestly_sdk._events import Event, parse_event

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - a prefix, not a secret
DEFAULT_TOLERANCE: Final = timedelta(minutes=5)
SIGNATURE_VERSION: Final = "v1"
DJANGO_HEADER_PREFIX: Final = "HTTP_"
# Whole seconds fit in 11 digits until the year 5138; 20 digits still parse cheaply
# and let a millisecond timestamp (13 digits) be reported as "too new", not garbled.
MAX_TIMESTAMP_DIGITS: Final = 20
HEX_SIGNATURE_CHARS: Final = 64

ID_HEADER: Final = "webhook-id"
TIMESTAMP_HEADER: Final = "webhook-timestamp"
SIGNATURE_HEADER: Final = "webhook-signature"
BODY_SIGNATURE_HEADER: Final = "x-webhook-signature"
SIGNED_HEADERS: Final = (
    ID_HEADER,
    TIMESTAMP_HEADER,
    SIGNATURE_HEADER,
    BODY_SIGNATURE_HEADER,
)


def decode_secret(secret: object) -> bytes:
    """The HMAC key of ``webhook-signature``: the base64 after ``whsec_``.

    Surrounding whitespace is refused rather than stripped: the same string keys
    ``x-webhook-signature`` whole, so a secret pasted with a line break would sign
    differently there, and it is better to hear so now than at the first delivery.
    """
    if not isinstance(secret, str):
        raise InvalidSecretError(
            f"the secret is a {type(secret).__name__}; pass the text 'whsec_…' "
            "shown in the panel"
        )
    if secret != secret.strip():
        raise InvalidSecretError(
            "the secret has spaces or line breaks around it; remove them (check "
            "how the environment variable or file holding it was written)"
        )
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidSecretError(
            "the secret does not start with 'whsec_'; copy it whole from the panel "
            "or from the API's answer"
        )
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSecretError(
            "the secret is not 'whsec_' followed by base64; copy it whole"
        ) from None
    if not key:
        raise InvalidSecretError("the secret is empty after 'whsec_'")
    return key


def read_body(body: object) -> bytes:
    if isinstance(body, bytes | bytearray | memoryview):
        raw = bytes(body)
    elif isinstance(body, str):
        try:
            raw = body.encode("utf-8")
        except UnicodeEncodeError:
            raise NotRawBodyError(
                "the body text holds lone surrogates, so it was not decoded from "
                "the request's bytes; pass the raw bytes instead"
            ) from None
    else:
        raise NotRawBodyError(
            f"got a {type(body).__name__}; pass the raw request body (bytes or str) "
            "exactly as received, before any JSON parsing: signatures are over bytes"
        )

    if not raw:
        raise EmptyBodyError(
            "the body is empty; read the raw body before anything else consumes the "
            "request stream (a JSON parser or form middleware)"
        )
    return raw


def header_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        # HTTP header bytes map one to one onto latin-1 (RFC 9110, section 5.5).
        return value.decode("latin-1")
    return None


def header_key(name: str) -> str:
    if name.startswith(DJANGO_HEADER_PREFIX):
        # Django's request.META: HTTP_WEBHOOK_ID is the webhook-id header.
        return name[len(DJANGO_HEADER_PREFIX) :].lower().replace("_", "-")
    return name.lower()


def spellings(name: str) -> list[str]:
    """How a lookup-only headers object may know ``name``: as sent, in title case,
    upper case, or as a WSGI/Django environ key."""
    return [
        name,
        name.title(),
        name.upper(),
        DJANGO_HEADER_PREFIX + name.upper().replace("-", "_"),
    ]


def look_up_headers(get: Callable[[str], object]) -> dict[str, str]:
    """For an object that only has ``get(name)``: ask for each header Gestly sends."""
    found: dict[str, str] = {}
    for name in SIGNED_HEADERS:
        for spelling in spellings(name):
            try:
                value = header_text(get(spelling))
            except (TypeError, ValueError, KeyError, AttributeError):
                value = None
            if value is not None:
                found[name] = value
                break
    return found


def read_headers(headers: object) -> dict[str, str]:
    """Any headers object as a dict with lowercase names.

    Takes a plain dict, a framework's headers (anything with ``items()``, repeated
    names included), Django's ``request.META``, or an object with only ``get()``.
    A name given twice with different values is refused: which one was signed
    would be a guess.
    """
    items = getattr(headers, "items", None)
    if not callable(items):
        get = getattr(headers, "get", None)
        if callable(get):
            return look_up_headers(get)
        raise MalformedHeaderError(
            "headers",
            f"got a {type(headers).__name__}; pass the request's headers mapping "
            "(or request.META in Django)",
        )
    try:
        pairs = list(items())
    except (TypeError, ValueError, AttributeError):
        raise MalformedHeaderError(
            "headers", "its items() could not be read; pass the request's headers"
        ) from None

    found: dict[str, str] = {}
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            continue
        name, value = header_text(pair[0]), header_text(pair[1])
        if name is None or value is None:
            continue
        key = header_key(name)
        if found.setdefault(key, value) != value:
            raise MalformedHeaderError(key, "it is given twice with different values")
    return found


def require(headers: dict[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise MissingHeaderError(name)
    return value


def read_timestamp(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_TIMESTAMP_DIGITS:
        raise MalformedHeaderError(
            TIMESTAMP_HEADER, f"{text[:40]!r} is not whole Unix seconds"
        )
    return int(text)


def read_signatures(header: str) -> list[bytes]:
    """The decoded ``v1`` signatures; entries of other versions are skipped."""
    if not header.isascii():
        raise NonAsciiSignatureError(SIGNATURE_HEADER, "it holds non-ASCII characters")

    signatures: list[bytes] = []
    for entry in header.split():
        version, comma, encoded = entry.partition(",")
        if version != SIGNATURE_VERSION or not comma:
            continue
        try:
            signatures.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            raise InvalidBase64Error(
                SIGNATURE_HEADER, "a v1 signature is not valid base64"
            ) from None

    if not signatures:
        raise MalformedHeaderError(
            SIGNATURE_HEADER,
            "it holds no 'v1,<base64>' signature; is this a Gestly delivery?",
        )
    return signatures


def read_body_signature(header: str) -> bytes:
    if not header.isascii():
        raise NonAsciiSignatureError(
            BODY_SIGNATURE_HEADER, "it holds non-ASCII characters"
        )
    text = header.strip().lower()
    if len(text) != HEX_SIGNATURE_CHARS or text.strip("0123456789abcdef"):
        raise MalformedHeaderError(
            BODY_SIGNATURE_HEADER, "it is not 64 hexadecimal digits"
        )
    return text.encode("ascii")


def signed_content(event_id: str, timestamp: int, body: bytes) -> bytes:
    """What ``webhook-signature`` signs: ``{id}.{timestamp}.`` then the raw body."""
    return f"{event_id}.{timestamp}.".encode() + body


def sign_standard(key: bytes, event_id: str, timestamp: int, body: bytes) -> bytes:
    return hmac.new(
        key, signed_content(event_id, timestamp, body), hashlib.sha256
    ).digest()


def sign_body_hex(secret: str, body: bytes) -> bytes:
    """The documented ``x-webhook-signature``: keyed with the whole secret string."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode("ascii")


def unix_seconds(moment: int | datetime) -> int:
    """Whole Unix seconds from an int or an aware datetime (converted, never
    relabelled); a naive datetime is refused because its zone would be a guess."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                "pass an aware datetime, e.g. datetime.now(UTC); a naive one has no "
                "defined instant"
            )
        return int(moment.astimezone(UTC).timestamp())
    if isinstance(moment, bool) or not isinstance(moment, int):
        raise TypeError(
            f"pass Unix seconds as an int or an aware datetime, not "
            f"{type(moment).__name__}"
        )
    if moment < 0:
        raise ValueError(f"Unix seconds cannot be negative: {moment}")
    return moment


def decode_envelope(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidPayloadError("the body is not UTF-8") from None
    except RecursionError:
        raise InvalidPayloadError("the body's JSON is nested too deeply") from None
    except ValueError:
        raise InvalidPayloadError("the body is not JSON") from None


class Webhook:
    """Verifies the deliveries of one endpoint.

    ``secret`` is the endpoint's secret, or a list of them, newest first, while a
    rotation's grace period lasts (any may match). ``tolerance`` bounds how far this
    attempt's timestamp may be from this machine's clock, in both directions.
    A malformed secret raises ``InvalidSecretError`` here, not at the first request.
    """

    def __init__(
        self,
        secret: str | Sequence[str],
        *,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        allow_body_only: bool = False,
    ) -> None:
        secrets: list[object] = (
            [secret]
            if isinstance(secret, str | bytes) or not isinstance(secret, Sequence)
            else list(secret)
        )
        if not secrets:
            raise InvalidSecretError("give at least one secret")
        if not isinstance(tolerance, timedelta) or tolerance < timedelta(0):
            raise ValueError(f"tolerance must be a timedelta >= 0, not {tolerance!r}")

        self._secrets = [(str(item), decode_secret(item)) for item in secrets]
        self.tolerance = tolerance
        self.allow_body_only = allow_body_only

    def __repr__(self) -> str:
        # Never the secrets: a repr ends up in logs and tracebacks.
        return (
            f"Webhook(<{len(self._secrets)} secret(s)>, tolerance={self.tolerance!r}, "
            f"allow_body_only={self.allow_body_only})"
        )

    def verify(
        self,
        body: object,
        headers: object,
        *,
        now: int | datetime | None = None,
    ) -> Event:
        """Check the request and return its typed event.

        ``body`` is the raw request body (bytes, or the text it decodes to);
        ``headers`` any headers object, names matched case-insensitively. Raises a
        ``WebhookVerificationError`` subclass, and nothing else, whatever the input.
        ``now`` (Unix seconds or an aware datetime) is for tests.
        """
        raw = read_body(body)
        found = read_headers(headers)
        body_signature = found.get(BODY_SIGNATURE_HEADER)
        if not found.get(SIGNATURE_HEADER) and body_signature:
            if not self.allow_body_only:
                raise MissingHeaderError(
                    SIGNATURE_HEADER,
                    "only x-webhook-signature was sent, and without a timestamp it "
                    "cannot stop replays; accept it alone with "
                    "Webhook(secret, allow_body_only=True)",
                )
            self._check_body_signature(raw, read_body_signature(body_signature))
            return parse_event(decode_envelope(raw))

        event_id = require(found, ID_HEADER)
        timestamp = read_timestamp(require(found, TIMESTAMP_HEADER))
        signatures = read_signatures(require(found, SIGNATURE_HEADER))

        self._check_timestamp(
            timestamp, time.time() if now is None else unix_seconds(now)
        )
        self._check_standard_signature(event_id, timestamp, raw, signatures)

        envelope = decode_envelope(raw)
        if not isinstance(envelope, dict) or envelope.get("id") != event_id:
            raise InvalidPayloadError(
                "the body's id is not the webhook-id header's; is this an event "
                "envelope?"
            )
        return parse_event(envelope)

    def sign(
        self, event_id: str, timestamp: int | datetime, body: bytes | str
    ) -> dict[str, str]:
        """The headers Gestly would send with this body: for testing receivers.

        One ``v1`` signature per secret, in the order given; ``x-webhook-signature``
        with the last (oldest) secret, as Gestly does during a rotation.
        ``timestamp`` is Unix seconds or an aware datetime.
        """
        seconds = unix_seconds(timestamp)
        raw = read_body(body)

        standard = " ".join(
            f"{SIGNATURE_VERSION},"
            + base64.b64encode(sign_standard(key, event_id, seconds, raw)).decode()
            for _secret, key in self._secrets
        )
        return {
            "content-type": "application/json",
            ID_HEADER: event_id,
            TIMESTAMP_HEADER: str(seconds),
            SIGNATURE_HEADER: standard,
            BODY_SIGNATURE_HEADER: sign_body_hex(self._secrets[-1][0], raw).decode(),
        }

    def _check_timestamp(self, timestamp: int, now: float) -> None:
        tolerance_s = self.tolerance.total_seconds()
        if timestamp < now - tolerance_s:
            raise TimestampTooOldError(timestamp, now, tolerance_s)
        if timestamp > now + tolerance_s:
            raise TimestampTooNewError(timestamp, now, tolerance_s)

    def _check_standard_signature(
        self, event_id: str, timestamp: int, raw: bytes, given: list[bytes]
    ) -> None:
        for _secret, key in self._secrets:
            expected = sign_standard(key, event_id, timestamp, raw)
            # Compare with every candidate, without stopping early, in constant time.
            matches = [hmac.compare_digest(expected, candidate) for candidate in given]
            if any(matches):
                return
        raise SignatureMismatchError(
            SIGNATURE_HEADER,
            "check the secret, and verify the raw body exactly as received (a body "
            "parsed and serialized again has different bytes)",
        )

    def _check_body_signature(self, raw: bytes, given: bytes) -> None:
        for secret, _key in self._secrets:
            if hmac.compare_digest(sign_body_hex(secret, raw), given):
                return
        raise SignatureMismatchError(
            BODY_SIGNATURE_HEADER,
            "check the secret and the raw body; during a secret rotation it is "
            "computed with the older secret, so pass both: Webhook([new, old])",
        )
