"""Secrets and the two signatures every delivery carries.

- ``x-webhook-signature``: lowercase hex HMAC-SHA256 of the raw body, keyed with the
  whole secret string (``whsec_…``), exactly as the public docs compute it.
- ``webhook-signature``: the Standard Webhooks scheme, ``v1,<base64>`` of
  HMAC-SHA256 over ``{id}.{timestamp}.{body}`` keyed with the base64-decoded part of
  the secret after ``whsec_``; one entry per active secret, newest first.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - a prefix, not a secret
SECRET_BYTES: Final = 24
SIGNATURE_VERSION: Final = "v1"


class InvalidSecretError(ValueError):
    """A secret is not ``whsec_`` followed by base64."""


def generate_secret() -> str:
    """Return a new endpoint secret: ``whsec_`` and 24 random bytes in base64."""
    key = secrets.token_bytes(SECRET_BYTES)
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


def decode_secret(secret: str) -> bytes:
    """Return the key bytes that the Standard Webhooks signature is keyed with."""
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidSecretError("an endpoint secret starts with 'whsec_'")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError as exc:
        raise InvalidSecretError("an endpoint secret is base64 after 'whsec_'") from exc
    if not key:
        raise InvalidSecretError("an endpoint secret is not empty after 'whsec_'")
    return key


def sign_body_hex(secret: str, body: bytes) -> str:
    """The documented ``x-webhook-signature``: hex HMAC-SHA256 keyed with the secret."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def sign_standard(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One Standard Webhooks signature, ``v1,<base64>``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(decode_secret(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    webhook_id: str
    webhook_timestamp: str
    webhook_signature: str
    x_webhook_signature: str

    def as_dict(self) -> dict[str, str]:
        return {
            "webhook-id": self.webhook_id,
            "webhook-timestamp": self.webhook_timestamp,
            "webhook-signature": self.webhook_signature,
            "x-webhook-signature": self.x_webhook_signature,
        }


def sign_delivery(
    active_secrets: Sequence[str], event_id: str, timestamp: int, body: bytes
) -> SignedHeaders:
    """Sign one attempt with every active secret.

    ``active_secrets`` is newest first. ``x-webhook-signature`` holds a single value
    (the docs' receiver compares it with ``timingSafeEqual``, which throws on a list),
    so it uses the oldest active secret: during a rotation's grace period a receiver
    that has not switched yet keeps working. The README tells receivers to accept
    either secret until the grace period ends.
    """
    if not active_secrets:
        raise ValueError("an endpoint always has at least one active secret")
    standard = " ".join(
        sign_standard(secret, event_id, timestamp, body) for secret in active_secrets
    )
    return SignedHeaders(
        webhook_id=event_id,
        webhook_timestamp=str(timestamp),
        webhook_signature=standard,
        x_webhook_signature=sign_body_hex(active_secrets[-1], body),
    )
