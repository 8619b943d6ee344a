"""Every error the SDK raises, in one tree.

::

    GestlyError
    ├── WebhookVerificationError          not a genuine, fresh delivery: answer 401
    │   ├── InvalidSecretError            the secret is not exactly "whsec_" + base64
    │   ├── NotRawBodyError               a parsed body (dict, None…) was passed
    │   │   └── EmptyBodyError            the body is empty (read by someone else?)
    │   ├── MissingHeaderError            a required header is absent or empty
    │   ├── MalformedHeaderError          a header is present but unreadable
    │   │   ├── InvalidBase64Error        a v1 signature is not base64
    │   │   └── NonAsciiSignatureError    a signature holds non-ASCII characters
    │   ├── TimestampTooOldError          older than the tolerance: a replay?
    │   ├── TimestampTooNewError          ahead of it: a wrong clock, or milliseconds
    │   ├── SignatureMismatchError        no signature matches the secret and body
    │   └── InvalidPayloadError           signed, but not a well-formed event
    ├── GestlyAPIError                    the API answered with an error
    │   ├── AuthenticationError           401
    │   ├── NotFoundError                 404
    │   ├── ConflictError                 409
    │   ├── ValidationError               400, 413, 422
    │   ├── RateLimitError                429
    │   └── ServerError                   5xx
    └── APIConnectionError                the API did not answer (network, DNS, TLS)
        └── APITimeoutError               it did not answer in time

Each verification error has a stable ``code`` (``"signature_mismatch"``…), which the
framework helpers put in their 401 answers. Messages never contain a secret or a
signature.
"""

from typing import ClassVar


class GestlyError(Exception):
    """Base of every error the SDK raises."""


class WebhookVerificationError(GestlyError):
    """The request is not a genuine, fresh Gestly delivery: answer 401."""

    code: ClassVar[str] = "verification_failed"


class InvalidSecretError(WebhookVerificationError):
    """Raised when the ``Webhook`` is built, not per request: a configuration bug."""

    code = "invalid_secret"


class NotRawBodyError(WebhookVerificationError):
    code = "not_raw_body"


class EmptyBodyError(NotRawBodyError):
    """Gestly never sends an empty body; a framework probably consumed it first."""

    code = "empty_body"


class MissingHeaderError(WebhookVerificationError):
    code = "missing_header"

    def __init__(self, header: str, hint: str = "") -> None:
        message = f"the {header!r} header is missing"
        super().__init__(f"{message}; {hint}" if hint else message)
        self.header = header


class MalformedHeaderError(WebhookVerificationError):
    code = "malformed_header"

    def __init__(self, header: str, reason: str) -> None:
        super().__init__(f"the {header!r} header is malformed: {reason}")
        self.header = header


class InvalidBase64Error(MalformedHeaderError):
    code = "invalid_base64"


class NonAsciiSignatureError(MalformedHeaderError):
    code = "non_ascii_signature"


class TimestampTooOldError(WebhookVerificationError):
    code = "timestamp_too_old"

    def __init__(self, timestamp: int, now: float, tolerance_s: float) -> None:
        super().__init__(
            f"webhook-timestamp {timestamp} is {int(now - timestamp)} s old, more "
            f"than the {int(tolerance_s)} s allowed: a replayed request, or a clock "
            "behind"
        )
        self.timestamp = timestamp


class TimestampTooNewError(WebhookVerificationError):
    code = "timestamp_too_new"

    def __init__(self, timestamp: int, now: float, tolerance_s: float) -> None:
        super().__init__(
            f"webhook-timestamp {timestamp} is {int(timestamp - now)} s ahead of this "
            f"clock, more than the {int(tolerance_s)} s allowed: check the clock, "
            "and that the timestamp is in seconds, not milliseconds"
        )
        self.timestamp = timestamp


class SignatureMismatchError(WebhookVerificationError):
    code = "signature_mismatch"

    def __init__(self, header: str, hint: str) -> None:
        super().__init__(f"{header} does not match: {hint}")
        self.header = header


class InvalidPayloadError(WebhookVerificationError):
    code = "invalid_payload"


class GestlyAPIError(GestlyError):
    """The API refused a request; ``code``, ``message`` and ``field`` are its words."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None
    ) -> None:
        where = f" (field {field!r})" if field else ""
        super().__init__(f"{status} {code}: {message}{where}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class AuthenticationError(GestlyAPIError):
    pass


class NotFoundError(GestlyAPIError):
    pass


class ConflictError(GestlyAPIError):
    pass


class ValidationError(GestlyAPIError):
    pass


class RateLimitError(GestlyAPIError):
    """``retry_after_s`` is the server's ``Retry-After``, when it sent one."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(status, code, message, field)
        self.retry_after_s = retry_after_s


class ServerError(GestlyAPIError):
    pass


class APIConnectionError(GestlyError):
    """No answer at all, after every retry: the request may or may not have run.

    A POST sent again with the same ``idempotency_key`` is carried out at most once.
    """


class APITimeoutError(APIConnectionError):
    pass
