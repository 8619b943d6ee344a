"""Endpoint secrets and the two signatures each attempt carries."""

import base64
import hashlib
import hmac
import json
import string
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from gestly.webhooks.signing import (
    InvalidSecretError,
    decode_secret,
    generate_secret,
    sign_body_hex,
    sign_delivery,
    sign_standard,
)

OLD_SECRET = "whsec_" + base64.b64encode(b"o" * 24).decode("ascii")
NEW_SECRET = "whsec_" + base64.b64encode(b"n" * 24).decode("ascii")
EVENT_ID = "evt_01JD3Z0000000000000000000A"
BODY = b'{"id":"evt_1","data":{"name":"Jo\xc3\xa3o"}}'
BASE64_CHARACTERS = set(string.ascii_letters + string.digits + "+/=")


def reference_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def standard_headers(signature: str, timestamp: int) -> dict[str, str]:
    return {
        "webhook-id": EVENT_ID,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def test_generated_secret_is_whsec_prefix_and_24_random_bytes_in_base64() -> None:
    secret = generate_secret()

    prefix, _, encoded = secret.partition("_")
    assert prefix == "whsec"
    assert set(encoded) <= BASE64_CHARACTERS
    assert len(base64.b64decode(encoded, validate=True)) == 24


def test_generated_secrets_differ_from_each_other() -> None:
    secrets = {generate_secret() for _ in range(50)}

    assert len(secrets) == 50


def test_decoded_secret_is_the_key_bytes_after_the_prefix() -> None:
    secret = "whsec_" + base64.b64encode(b"\x00\xffkey bytes").decode("ascii")

    assert decode_secret(secret) == b"\x00\xffkey bytes"


@pytest.mark.parametrize(
    ("secret", "message_part"),
    [
        ("c2VjcmV0c2VjcmV0", "starts with 'whsec_'"),
        ("WHSEC_c2VjcmV0c2VjcmV0", "starts with 'whsec_'"),
        ("whsec_not base64!", "base64 after 'whsec_'"),
        ("whsec_c2VjcmV0c2VjcmV0c", "base64 after 'whsec_'"),
        ("whsec_c2Vj*mV0", "base64 after 'whsec_'"),
    ],
)
def test_malformed_secret_is_refused_with_a_message_saying_why(
    secret: str, message_part: str
) -> None:
    with pytest.raises(InvalidSecretError, match=message_part):
        decode_secret(secret)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        BODY,
        '{"name":"João 😀 予約"}'.encode(),
        b"\x00\xff not even utf-8",
    ],
)
def test_body_hex_signature_is_hmac_keyed_with_the_whole_secret_string(
    body: bytes,
) -> None:
    signature = sign_body_hex(NEW_SECRET, body)

    assert signature == reference_hex(NEW_SECRET, body)


def test_body_hex_signature_is_64_lowercase_hex_characters() -> None:
    signature = sign_body_hex(NEW_SECRET, BODY)

    assert len(signature) == 64
    assert set(signature) <= set("0123456789abcdef")


def test_body_hex_signature_is_not_keyed_with_the_decoded_bytes() -> None:
    signature = sign_body_hex(NEW_SECRET, BODY)

    decoded_key = decode_secret(NEW_SECRET)
    assert signature != hmac.new(decoded_key, BODY, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        BODY,
        '{"name":"João 😀 予約"}'.encode(),
        b"\x00\xff not even utf-8",
    ],
)
def test_standard_signature_matches_the_standardwebhooks_package(
    body: bytes,
) -> None:
    timestamp = 1_767_225_600

    signature = sign_standard(NEW_SECRET, EVENT_ID, timestamp, body)

    moment = datetime.fromtimestamp(timestamp, UTC)
    assert signature == Webhook(NEW_SECRET).sign(EVENT_ID, moment, body)


def test_standard_signature_is_verified_by_the_standardwebhooks_package() -> None:
    timestamp = int(time.time())
    signature = sign_standard(NEW_SECRET, EVENT_ID, timestamp, BODY)

    payload = Webhook(NEW_SECRET).verify(BODY, standard_headers(signature, timestamp))

    assert payload == {"id": "evt_1", "data": {"name": "João"}}


def test_standard_signature_with_another_secret_is_rejected() -> None:
    timestamp = int(time.time())
    signature = sign_standard(OLD_SECRET, EVENT_ID, timestamp, BODY)

    with pytest.raises(WebhookVerificationError):
        Webhook(NEW_SECRET).verify(BODY, standard_headers(signature, timestamp))


def test_standard_signature_covers_the_event_id() -> None:
    timestamp = 1_767_225_600

    first = sign_standard(NEW_SECRET, "evt_a", timestamp, BODY)

    assert first != sign_standard(NEW_SECRET, "evt_b", timestamp, BODY)


def test_standard_signature_covers_the_timestamp() -> None:
    first = sign_standard(NEW_SECRET, EVENT_ID, 1_767_225_600, BODY)

    assert first != sign_standard(NEW_SECRET, EVENT_ID, 1_767_225_601, BODY)


def test_standard_signature_with_a_malformed_secret_is_refused() -> None:
    with pytest.raises(InvalidSecretError):
        sign_standard("not-a-secret", EVENT_ID, 1_767_225_600, BODY)


def test_delivery_with_one_secret_carries_one_standard_signature() -> None:
    headers = sign_delivery([NEW_SECRET], EVENT_ID, 1_767_225_600, BODY)

    assert headers.webhook_signature == sign_standard(
        NEW_SECRET, EVENT_ID, 1_767_225_600, BODY
    )


def test_delivery_with_one_secret_carries_the_documented_hex_signature() -> None:
    headers = sign_delivery([NEW_SECRET], EVENT_ID, 1_767_225_600, BODY)

    assert headers.x_webhook_signature == reference_hex(NEW_SECRET, BODY)


def test_delivery_headers_carry_event_id_and_timestamp_in_unix_seconds() -> None:
    headers = sign_delivery([NEW_SECRET], EVENT_ID, 1_767_225_600, BODY)

    assert headers.as_dict() == {
        "webhook-id": EVENT_ID,
        "webhook-timestamp": "1767225600",
        "webhook-signature": headers.webhook_signature,
        "x-webhook-signature": headers.x_webhook_signature,
    }


def test_delivery_with_two_secrets_carries_one_v1_per_secret_newest_first() -> None:
    headers = sign_delivery([NEW_SECRET, OLD_SECRET], EVENT_ID, 1_767_225_600, BODY)

    assert headers.webhook_signature.split(" ") == [
        sign_standard(NEW_SECRET, EVENT_ID, 1_767_225_600, BODY),
        sign_standard(OLD_SECRET, EVENT_ID, 1_767_225_600, BODY),
    ]


def test_delivery_with_two_secrets_signs_hex_header_with_oldest_secret() -> None:
    headers = sign_delivery([NEW_SECRET, OLD_SECRET], EVENT_ID, 1_767_225_600, BODY)

    assert headers.x_webhook_signature == reference_hex(OLD_SECRET, BODY)


@pytest.mark.parametrize("receiver_secret", [NEW_SECRET, OLD_SECRET])
def test_delivery_during_rotation_verifies_with_either_secret(
    receiver_secret: str,
) -> None:
    timestamp = int(time.time())
    headers = sign_delivery([NEW_SECRET, OLD_SECRET], EVENT_ID, timestamp, BODY)

    payload = Webhook(receiver_secret).verify(BODY, headers.as_dict())

    assert payload["data"] == {"name": "João"}


@pytest.mark.parametrize(
    "text", ["João", "😀", "Olá, João! 🎉 予約 ✂️", "\u2028\u2029", "\x00"]
)
def test_non_ascii_body_hex_signature_is_over_its_utf8_bytes(text: str) -> None:
    body = json.dumps({"name": text}, ensure_ascii=False).encode()

    headers = sign_delivery([NEW_SECRET], EVENT_ID, 1_767_225_600, body)

    assert headers.x_webhook_signature == reference_hex(NEW_SECRET, body)


@pytest.mark.parametrize(
    "text", ["João", "😀", "Olá, João! 🎉 予約 ✂️", "\u2028\u2029", "\x00"]
)
def test_non_ascii_body_standard_signature_verifies_with_standardwebhooks(
    text: str,
) -> None:
    body = json.dumps({"name": text}, ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = sign_delivery([NEW_SECRET], EVENT_ID, timestamp, body)

    payload = Webhook(NEW_SECRET).verify(body, headers.as_dict())

    assert payload == {"name": text}


def test_delivery_without_secrets_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one active secret"):
        sign_delivery([], EVENT_ID, 1_767_225_600, BODY)
