"""One HTTP attempt: POST the body, read a capped response, classify what happened.

aiohttp rather than httpx: at hundreds of requests in flight httpx's connection pool
slows down sharply, aiohttp's does not (``bench/http_clients.py`` measures both).
Redirects are never followed, the response body is read up to
``RESPONSE_READ_CAP_BYTES`` and stored up to ``RESPONSE_STORE_CAP_BYTES``, and the
text kept is valid UTF-8 without NUL characters, whatever the receiver sent.
"""

import ssl
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import aiohttp

from gestly.delivery.resolver import (
    BlockedAddressError,
    CheckingResolver,
    HostLookupError,
    LookupHost,
    lookup_host,
)
from gestly.webhooks.destinations import (
    DestinationError,
    DestinationPolicy,
    check_address,
    parse_url,
)

RESPONSE_READ_CAP_BYTES: Final = 256 * 1024
RESPONSE_STORE_CAP_BYTES: Final = 16 * 1024
READ_CHUNK_BYTES: Final = 16 * 1024
MAX_HEADER_VALUE_CHARS: Final = 1000


class ErrorKind(StrEnum):
    """Why an attempt failed, in words the delivery log and the panel show."""

    HTTP_STATUS = "http_status"
    REDIRECT = "redirect_not_followed"
    TIMEOUT = "timeout"
    CONNECTION_REFUSED = "connection_refused"
    DNS_FAILURE = "dns_failure"
    TLS_ERROR = "tls_error"
    BLOCKED_DESTINATION = "blocked_destination"
    CONNECTION_ERROR = "connection_error"
    RESPONSE_TOO_LARGE = "response_too_large"
    INVALID_RESPONSE = "invalid_response"


ERROR_DESCRIPTIONS: Final = {
    ErrorKind.HTTP_STATUS: "the receiver answered with a non-2xx status",
    ErrorKind.REDIRECT: "the receiver answered with a redirect, which is not followed",
    ErrorKind.TIMEOUT: "no complete response within the timeout",
    ErrorKind.CONNECTION_REFUSED: "the receiver refused the connection",
    ErrorKind.DNS_FAILURE: "the host name did not resolve",
    ErrorKind.TLS_ERROR: "the TLS handshake failed (certificate or protocol)",
    ErrorKind.BLOCKED_DESTINATION: "the URL points at an address that is not allowed",
    ErrorKind.CONNECTION_ERROR: "the connection failed or was closed early",
    ErrorKind.RESPONSE_TOO_LARGE: "the response body exceeded the size limit",
    ErrorKind.INVALID_RESPONSE: "the response was not valid HTTP",
}


@dataclass(frozen=True, slots=True)
class AttemptResult:
    succeeded: bool
    duration_ms: int
    status_code: int | None = None
    response_headers: dict[str, str] | None = None
    response_body: str | None = None
    response_truncated: bool = False
    error_kind: ErrorKind | None = None
    error_message: str | None = None

    @property
    def retry_after(self) -> str | None:
        if self.response_headers is None:
            return None
        return self.response_headers.get("retry-after")


def clean_text(raw: bytes) -> str:
    """Bytes from a stranger as text any database stores: UTF-8, no NUL."""
    return raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def clean_headers(headers: "aiohttp.typedefs.LooseHeaders") -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name, value in headers.items():  # type: ignore[union-attr]
        key = clean_text(str(name).encode("utf-8", "replace")).lower()[:200]
        text = clean_text(str(value).encode("utf-8", "replace"))
        cleaned[key] = text[:MAX_HEADER_VALUE_CHARS]
    return cleaned


def classify_connection_error(exc: aiohttp.ClientError) -> tuple[ErrorKind, str]:
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        if isinstance(exc.os_error, BlockedAddressError):
            return ErrorKind.BLOCKED_DESTINATION, str(exc.os_error)
        return ErrorKind.DNS_FAILURE, str(exc.os_error)
    if isinstance(exc, aiohttp.ClientSSLError | aiohttp.ServerFingerprintMismatch):
        return ErrorKind.TLS_ERROR, str(exc)
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return ErrorKind.CONNECTION_REFUSED, "connection refused"
        return ErrorKind.CONNECTION_ERROR, str(exc.os_error)
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        return ErrorKind.INVALID_RESPONSE, str(exc)
    return ErrorKind.CONNECTION_ERROR, str(exc) or type(exc).__name__


class Sender:
    """Sends attempts over one pooled aiohttp session. Use as an async context."""

    def __init__(
        self,
        policy: DestinationPolicy,
        *,
        timeout_s: float,
        max_connections: int,
        user_agent: str,
        lookup: LookupHost = lookup_host,
    ) -> None:
        self.policy = policy
        self.timeout_s = timeout_s
        self.max_connections = max_connections
        self.user_agent = user_agent
        self.lookup = lookup
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "Sender":
        connector = aiohttp.TCPConnector(
            limit=self.max_connections,
            limit_per_host=0,
            resolver=CheckingResolver(self.policy, self.lookup),
            ttl_dns_cache=10,
            ssl=ssl.create_default_context(),
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout_s),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=True,
        )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def send(
        self, url: str, headers: dict[str, str], body: bytes
    ) -> AttemptResult:
        """Make one attempt; never raises for anything the receiver does."""
        assert self.session is not None, "use the Sender inside 'async with'"
        started = time.perf_counter()

        def elapsed_ms() -> int:
            return round((time.perf_counter() - started) * 1000)

        try:
            parsed = parse_url(url, self.policy)
            if parsed.literal_address is not None:
                check_address(parsed.literal_address, self.policy)
        except DestinationError as exc:
            return AttemptResult(
                succeeded=False,
                duration_ms=elapsed_ms(),
                error_kind=ErrorKind.BLOCKED_DESTINATION,
                error_message=str(exc),
            )

        request_headers = {
            **headers,
            "content-type": "application/json",
            "user-agent": self.user_agent,
        }
        try:
            async with self.session.post(
                url, data=body, headers=request_headers, allow_redirects=False
            ) as response:
                raw, too_large = await read_capped(response)
                status = response.status
                response_headers = clean_headers(response.headers)
        except TimeoutError:
            return AttemptResult(
                succeeded=False,
                duration_ms=elapsed_ms(),
                error_kind=ErrorKind.TIMEOUT,
                error_message=f"no complete response within {self.timeout_s:g} s",
            )
        except (HostLookupError, BlockedAddressError) as exc:
            return AttemptResult(
                succeeded=False,
                duration_ms=elapsed_ms(),
                error_kind=ErrorKind.DNS_FAILURE
                if isinstance(exc, HostLookupError)
                else ErrorKind.BLOCKED_DESTINATION,
                error_message=str(exc),
            )
        except aiohttp.ClientError as exc:
            kind, message = classify_connection_error(exc)
            return AttemptResult(
                succeeded=False,
                duration_ms=elapsed_ms(),
                error_kind=kind,
                error_message=message[:500],
            )

        return classify_response(status, response_headers, raw, too_large, elapsed_ms())


async def read_capped(response: aiohttp.ClientResponse) -> tuple[bytes, bool]:
    """Read at most ``RESPONSE_READ_CAP_BYTES``; say whether there was more."""
    chunks: list[bytes] = []
    size = 0
    while size <= RESPONSE_READ_CAP_BYTES:
        chunk = await response.content.read(READ_CHUNK_BYTES)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), True


def classify_response(
    status: int,
    headers: dict[str, str],
    raw: bytes,
    too_large: bool,
    duration_ms: int,
) -> AttemptResult:
    stored = raw[:RESPONSE_STORE_CAP_BYTES]
    body = clean_text(stored)
    truncated = too_large or len(raw) > RESPONSE_STORE_CAP_BYTES

    error_kind: ErrorKind | None = None
    message: str | None = None
    if too_large:
        error_kind = ErrorKind.RESPONSE_TOO_LARGE
        message = f"response body larger than {RESPONSE_READ_CAP_BYTES} bytes"
    elif 300 <= status < 400:
        error_kind = ErrorKind.REDIRECT
        location = headers.get("location", "")
        message = f"HTTP {status} redirect to {location[:200]!r} not followed"
    elif not 200 <= status < 300:
        error_kind = ErrorKind.HTTP_STATUS
        message = f"HTTP {status}"

    return AttemptResult(
        succeeded=error_kind is None,
        duration_ms=duration_ms,
        status_code=status,
        response_headers=headers,
        response_body=body,
        response_truncated=truncated,
        error_kind=error_kind,
        error_message=message,
    )
