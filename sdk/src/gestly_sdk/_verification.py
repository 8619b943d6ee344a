"""Verifying deliveries: standard library only, constant-time comparisons.

A delivery carries two signatures. ``webhook-signature`` (Standard Webhooks) signs the
event id, the attempt's timestamp and the body, so it also stops replays; it is the
one checked. ``x-webhook-signature`` (the hex HMAC of the public docs) signs the body
alone and is only accepted on its own when asked for with ``allow_body_only``.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from gestly_sdk._errors import (
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
DJANGO_PREFIX: Final = "HTTP_"


def decode_secret(secret: object) -> bytes:
    if not isinstance(secret, str):
        raise InvalidSecretError("the secret is text that starts with 'whsec_'")
    if secret != secret.strip():
        raise InvalidSecretError(
            "the secret has spaces or line breaks around it; remove them"
        )
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidSecretError(
            "the secret starts with 'whsec_'; copy it whole from the panel or the API"
        )
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSecretError("the secret is 'whsec_' followed by base64") from None
    if not key:
        raise InvalidSecretError("the secret is empty after 'whsec_'")
    return key


def read_headers(headers: object) -> dict[str, str]:
    """Any headers object as a dict with lowercase names.

    Takes a plain dict, a framework's headers (anything with ``items()``) or
    Django's ``request.META`` (``HTTP_WEBHOOK_ID`` and the like).
    """
    items = getattr(headers, "items", None)
    if items is None:
        raise MalformedHeaderError("headers", "pass the request's headers mapping")
    found: dict[str, str] = {}
    for name, value in items():
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        key = name.lower()
        if name.startswith(DJANGO_PREFIX):
            key = name[len(DJANGO_PREFIX) :].lower().replace("_", "-")
        found.setdefault(key, value)
    return found


def read_body(body: object) -> bytes:
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    raise NotRawBodyError(
        f"got a {type(body).__name__}; pass the raw request body (bytes or str) "
        "exactly as received, before any JSON parsing"
    )


def require(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None or value == "":
        raise MissingHeaderError(name)
    return value


def read_timestamp(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise MalformedHeaderError("webhook-timestamp", "not whole Unix seconds")
    return int(text)


def signed_content(message_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{message_id}.{timestamp}.".encode() + body


def sign(
    secret: str, message_id: str, timestamp: int | datetime, body: bytes | str
) -> dict[str, str]:
    """The headers Gestly would send for this body: for tests of your receiver.

    ``timestamp`` is Unix seconds or an aware datetime (converted to UTC, never
    relabelled); a naive datetime is refused.
    """
    key = decode_secret(secret)
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            raise ValueError("pass an aware datetime, e.g. datetime.now(UTC)")
        seconds = int(timestamp.astimezone(UTC).timestamp())
    else:
        seconds = int(timestamp)
    raw = read_body(body)
    digest = hmac.new(key, signed_content(message_id, seconds, raw), hashlib.sha256)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(seconds),
        "webhook-signature": "v1," + base64.b64encode(digest.digest()).decode(),
        "x-webhook-signature": hmac.new(
            secret.encode(), raw, hashlib.sha256
        ).hexdigest(),
    }


class Webhook:
    """Verifies deliveries for one endpoint.

    ``secrets`` is the endpoint's secret, or several during a rotation (any may
    match). ``tolerance`` bounds how far the attempt's timestamp may be from now, in
    both directions.
    """

    def __init__(
        self,
        secrets: str | Iterable[str],
        *,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        allow_body_only: bool = False,
    ) -> None:
        if isinstance(secrets, str) or not isinstance(secrets, Iterable):
            listed: list[object] = [secrets]
        else:
            listed = list(secrets)
        if not listed:
            raise InvalidSecretError("give at least one secret")
        self._keys = [(str(secret), decode_secret(secret)) for secret in listed]
        self.tolerance = tolerance
        self.allow_body_only = allow_body_only

    def verify(
        self, body: object, headers: object, *, now: float | None = None
    ) -> Event:
        """Check the request and return its event; raise a
        ``WebhookVerificationError`` subclass if it is not genuine and fresh."""
        raw = read_body(body)
        found = read_headers(headers)
        if "webhook-signature" not in found and self.allow_body_only:
            self._check_body_signature(raw, require(found, "x-webhook-signature"))
            return self._parse(raw, None)

        message_id = require(found, "webhook-id")
        timestamp = read_timestamp(require(found, "webhook-timestamp"))
        signatures = require(found, "webhook-signature")
        self._check_timestamp(timestamp, time.time() if now is None else now)
        self._check_standard_signature(message_id, timestamp, raw, signatures)
        return self._parse(raw, message_id)

    def _check_timestamp(self, timestamp: int, now: float) -> None:
        tolerance = self.tolerance.total_seconds()
        if timestamp < now - tolerance:
            raise TimestampTooOldError(
                f"the delivery was signed {int(now - timestamp)} s ago, more than "
                f"the {int(tolerance)} s allowed: a replay, or a slow queue"
            )
        if timestamp > now + tolerance:
            raise TimestampTooNewError(
                f"the delivery is dated {int(timestamp - now)} s ahead of this clock; "
                "check the clock (and that the timestamp is in seconds)"
            )

    def _check_standard_signature(
        self, message_id: str, timestamp: int, raw: bytes, header: str
    ) -> None:
        given: list[bytes] = []
        for entry in header.split(" "):
            if not entry:
                continue
            if not entry.isascii():
                raise NonAsciiSignatureError(
                    "webhook-signature", "it holds non-ASCII characters"
                )
            version, _, encoded = entry.partition(",")
            if version != "v1":
                continue
            try:
                given.append(base64.b64decode(encoded, validate=True))
            except (binascii.Error, ValueError):
                raise MalformedHeaderError(
                    "webhook-signature", "a v1 signature is not valid base64"
                ) from None
        if not given:
            raise MalformedHeaderError("webhook-signature", "no v1 signature in it")
        content = signed_content(message_id, timestamp, raw)
        for _secret, key in self._keys:
            expected = hmac.new(key, content, hashlib.sha256).digest()
            if any(hmac.compare_digest(expected, candidate) for candidate in given):
                return
        raise SignatureMismatchError(
            "no signature matches: check the secret, and verify the raw body as "
            "received (a re-serialized body differs)"
        )

    def _check_body_signature(self, raw: bytes, header: str) -> None:
        if not header.isascii():
            raise NonAsciiSignatureError(
                "x-webhook-signature", "it holds non-ASCII characters"
            )
        for secret, _key in self._keys:
            expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, header.strip().lower()):
                return
        raise SignatureMismatchError(
            "x-webhook-signature does not match: check the secret and the raw body"
        )

    def _parse(self, raw: bytes, message_id: str | None) -> Event:
        try:
            envelope: Any = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            raise InvalidPayloadError("the body is not JSON") from None
        if message_id is not None and (
            not isinstance(envelope, dict) or envelope.get("id") != message_id
        ):
            raise InvalidPayloadError("the body's id differs from webhook-id")
        return parse_event(envelope)
