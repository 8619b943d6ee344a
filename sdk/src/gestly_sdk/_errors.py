"""Every error the SDK raises, in two families.

::

    GestlyError
    ├── WebhookVerificationError          a request that is not a genuine delivery
    │   ├── InvalidSecretError            the secret is not "whsec_" + base64
    │   ├── NotRawBodyError               a parsed body was passed, not the raw bytes
    │   ├── MissingHeaderError            a required header is absent
    │   ├── MalformedHeaderError          a header is present but unreadable
    │   │   └── NonAsciiSignatureError    a signature holds non-ASCII characters
    │   ├── TimestampTooOldError          older than the tolerance (a replay?)
    │   ├── TimestampTooNewError          ahead of the tolerance (clock, or ms given)
    │   ├── SignatureMismatchError        no signature matches the secret
    │   └── InvalidPayloadError           signed, but not a JSON event envelope
    └── GestlyAPIError                    the API answered with an error
        ├── AuthenticationError           401
        ├── NotFoundError                 404
        ├── ConflictError                 409
        ├── ValidationError               400, 413, 422
        ├── RateLimitError                429
        ├── ServerError                   5xx
        └── ConnectionError               no answer at all
"""


class GestlyError(Exception):
    """Base of every error the SDK raises."""


class WebhookVerificationError(GestlyError):
    """The request is not a genuine, fresh Gestly delivery: answer 401."""


class InvalidSecretError(WebhookVerificationError):
    pass


class NotRawBodyError(WebhookVerificationError):
    pass


class MissingHeaderError(WebhookVerificationError):
    def __init__(self, header: str) -> None:
        super().__init__(f"the {header!r} header is missing")
        self.header = header


class MalformedHeaderError(WebhookVerificationError):
    def __init__(self, header: str, reason: str) -> None:
        super().__init__(f"the {header!r} header is malformed: {reason}")
        self.header = header


class NonAsciiSignatureError(MalformedHeaderError):
    pass


class TimestampTooOldError(WebhookVerificationError):
    pass


class TimestampTooNewError(WebhookVerificationError):
    pass


class SignatureMismatchError(WebhookVerificationError):
    pass


class InvalidPayloadError(WebhookVerificationError):
    pass


class GestlyAPIError(GestlyError):
    """The API refused a request; ``code``, ``message`` and ``field`` are its words."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
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
    pass


class ServerError(GestlyAPIError):
    pass


class ConnectionError(GestlyAPIError):
    """No answer: the network failed or the request timed out."""
