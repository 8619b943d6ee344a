"""When the API client tries a request again, and after how long: one pure function.

Only requests that are safe to repeat are retried: GET, HEAD, PUT, DELETE, and POST
because the client sends every POST with an ``Idempotency-Key`` that the server uses
to carry it out once. PATCH is never retried.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

REPEATABLE_METHODS: Final = frozenset({"GET", "HEAD", "PUT", "DELETE", "POST"})
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
# The server's answer to a POST whose twin (same Idempotency-Key) is still running.
KEY_IN_USE_CODE: Final = "idempotency_key_in_use"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_retries`` counts the attempts after the first one.

    Backoff doubles from ``base_delay_s`` up to ``max_delay_s``, and jitter draws
    each wait between half of that and all of it, so clients that failed together
    do not return together. A ``Retry-After`` longer than ``max_retry_after_s`` is
    not waited for: the error is raised, carrying it.
    """

    max_retries: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_retry_after_s: float = 60.0


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    """What an attempt came back with. ``status`` is None when nothing answered."""

    method: str
    attempt: int
    status: int | None = None
    error_code: str | None = None
    retry_after: str | None = None


def read_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date
    (RFC 9110, section 10.2.3); None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # RFC 9110 dates are always GMT.
    return max(0.0, (moment - now).total_seconds())


def is_retryable(failed: FailedAttempt) -> bool:
    if failed.method not in REPEATABLE_METHODS:
        return False
    if failed.status is None or failed.status in RETRY_STATUSES:
        return True
    return failed.status == 409 and failed.error_code == KEY_IN_USE_CODE


def decide_retry(
    policy: RetryPolicy, failed: FailedAttempt, now: datetime, jitter: float
) -> float | None:
    """Seconds to wait before the next attempt, or None to give up.

    ``failed.attempt`` is 1 for the first attempt; ``jitter`` is a number in
    [0, 1), random in use and fixed in tests.
    """
    if failed.attempt > policy.max_retries or not is_retryable(failed):
        return None

    retry_after_s = read_retry_after(failed.retry_after, now)
    if retry_after_s is not None:
        return retry_after_s if retry_after_s <= policy.max_retry_after_s else None

    ceiling_s = min(
        policy.max_delay_s, policy.base_delay_s * 2.0 ** (failed.attempt - 1)
    )
    return ceiling_s * (0.5 + jitter / 2)
