"""The sender's pure parts: cleaning a stranger's bytes and classifying a response."""

import pytest

from gestly.delivery.sender import (
    RESPONSE_READ_CAP_BYTES,
    RESPONSE_STORE_CAP_BYTES,
    AttemptResult,
    ErrorKind,
    classify_response,
    clean_text,
)


def classify(
    status: int,
    raw: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    too_large: bool = False,
) -> AttemptResult:
    return classify_response(status, headers or {}, raw, too_large, 12)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"ok", "ok"),
        ("João 😀".encode(), "João 😀"),
        (b"\xff\xfe", "\ufffd\ufffd"),
        (b"caf\xe9", "caf\ufffd"),
        (b"a\x00b", "a\ufffdb"),
        (b"\x00\x00", "\ufffd\ufffd"),
        (b"\xf0\x9f\x98", "\ufffd"),  # an emoji cut in the middle
        (b"\xed\xa0\x80", "\ufffd\ufffd\ufffd"),  # an encoded lone surrogate
    ],
)
def test_clean_text_replaces_invalid_utf8_and_nul(raw: bytes, text: str) -> None:
    cleaned = clean_text(raw)

    assert cleaned == text


@pytest.mark.parametrize(
    "raw", [bytes(range(256)), b"\xed\xa0\x80\xed\xbf\xbf", b"\x00" * 10]
)
def test_clean_text_result_encodes_as_utf8_without_nul(raw: bytes) -> None:
    encoded = clean_text(raw).encode("utf-8")

    assert b"\x00" not in encoded


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
@pytest.mark.parametrize("raw", [b"", b"OK", b"<html>not json</html>", b"\xff"])
def test_any_2xx_succeeds_whatever_the_body(status: int, raw: bytes) -> None:
    result = classify(status, raw)

    assert (result.succeeded, result.error_kind, result.error_message) == (
        True,
        None,
        None,
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_a_failure_that_is_not_followed(status: int) -> None:
    result = classify(status, headers={"location": "https://elsewhere.example/x"})

    assert (result.succeeded, result.error_kind) == (False, ErrorKind.REDIRECT)


def test_redirect_error_kind_is_named_redirect_not_followed() -> None:
    result = classify(302, headers={"location": "https://elsewhere.example/x"})

    assert result.error_kind == "redirect_not_followed"


def test_redirect_message_mentions_status_and_location() -> None:
    result = classify(307, headers={"location": "https://elsewhere.example/x"})

    assert result.error_message == (
        "HTTP 307 redirect to 'https://elsewhere.example/x' not followed"
    )


def test_redirect_message_caps_a_long_location() -> None:
    location = "https://elsewhere.example/" + "x" * 5_000

    result = classify(301, headers={"location": location})

    assert result.error_message is not None
    assert len(result.error_message) < 300


@pytest.mark.parametrize("status", [100, 400, 401, 404, 408, 409, 429, 500, 502, 503])
def test_other_status_is_an_http_status_failure_naming_it(status: int) -> None:
    result = classify(status, b"error")

    assert (result.succeeded, result.error_kind, result.error_message) == (
        False,
        ErrorKind.HTTP_STATUS,
        f"HTTP {status}",
    )


def test_response_keeps_status_headers_and_duration() -> None:
    headers = {"content-type": "text/plain", "retry-after": "120"}

    result = classify_response(503, headers, b"busy", False, 42)

    assert (result.status_code, result.response_headers, result.duration_ms) == (
        503,
        headers,
        42,
    )


def test_retry_after_is_read_from_the_response_headers() -> None:
    result = classify(429, headers={"retry-after": "120"})

    assert result.retry_after == "120"


def test_too_large_response_is_a_failure_even_with_2xx() -> None:
    raw = b"x" * (RESPONSE_READ_CAP_BYTES + 1)

    result = classify(200, raw, too_large=True)

    assert (result.succeeded, result.error_kind) == (
        False,
        ErrorKind.RESPONSE_TOO_LARGE,
    )


def test_too_large_response_message_names_the_limit() -> None:
    result = classify(200, b"x" * 10, too_large=True)

    assert result.error_message == (
        f"response body larger than {RESPONSE_READ_CAP_BYTES} bytes"
    )


def test_too_large_response_is_stored_truncated() -> None:
    raw = b"x" * (RESPONSE_READ_CAP_BYTES + 1)

    result = classify(200, raw, too_large=True)

    assert (len(result.response_body or ""), result.response_truncated) == (
        RESPONSE_STORE_CAP_BYTES,
        True,
    )


@pytest.mark.parametrize(
    ("size", "truncated"),
    [
        (0, False),
        (RESPONSE_STORE_CAP_BYTES - 1, False),
        (RESPONSE_STORE_CAP_BYTES, False),
        (RESPONSE_STORE_CAP_BYTES + 1, True),
        (RESPONSE_READ_CAP_BYTES, True),
    ],
)
def test_stored_body_is_capped_and_flagged_when_cut(size: int, truncated: bool) -> None:
    result = classify(500, b"y" * size)

    assert (result.response_body, result.response_truncated) == (
        "y" * min(size, RESPONSE_STORE_CAP_BYTES),
        truncated,
    )


def test_stored_body_is_cleaned_text() -> None:
    result = classify(400, b'{"erro":"inv\xe1lido\x00"}')

    assert result.response_body == '{"erro":"inv\ufffdlido\ufffd"}'


def test_stored_body_cut_inside_a_character_is_still_valid_text() -> None:
    raw = b"a" * (RESPONSE_STORE_CAP_BYTES - 1) + "ã".encode() * 10

    result = classify(500, raw)

    assert (result.response_body or "").endswith("a\ufffd")
