"""The retry policy: one pure function from an attempt's outcome to what happens next.

The public docs promise attempts at 0, +5 min, +30 min, +2 h and +12 h, each delay
counted from the previous failure. A retry is never earlier than documented: jitter
only adds, and ``Retry-After`` (RFC 9110, section 10.2.3) can only push a retry later,
up to ``RETRY_AFTER_CAP``.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Final

RETRY_DELAYS: Final = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS: Final = len(RETRY_DELAYS) + 1
JITTER_FRACTION: Final = 0.1
JITTER_CAP: Final = timedelta(minutes=10)
RETRY_AFTER_CAP: Final = timedelta(hours=24)
RETRY_AFTER_STATUSES: Final = frozenset({429, 503})
GONE_STATUS: Final = 410


@dataclass(frozen=True, slots=True)
class Succeeded:
    pass


@dataclass(frozen=True, slots=True)
class RetryAt:
    moment: datetime


@dataclass(frozen=True, slots=True)
class GiveUp:
    """No more scheduled attempts; ``disable_endpoint`` after a ``410 Gone``."""

    disable_endpoint: bool = False


RetryDecision = Succeeded | RetryAt | GiveUp


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Read ``Retry-After``: delay seconds or an HTTP date; None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        # Cap before converting: a hostile header may exceed what timedelta holds.
        seconds = min(int(text), int(RETRY_AFTER_CAP.total_seconds()))
        return timedelta(seconds=seconds)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(moment - now, timedelta(0))


def jitter_for(delay: timedelta, rng: random.Random) -> timedelta:
    """A random extra wait of up to 10 % of ``delay`` (at most ten minutes)."""
    ceiling = min(delay * JITTER_FRACTION, JITTER_CAP)
    return ceiling * rng.random()


def decide_next_attempt(
    *,
    attempt_number: int,
    succeeded: bool,
    status_code: int | None,
    retry_after: str | None,
    now: datetime,
    rng: random.Random,
) -> RetryDecision:
    """Decide what follows scheduled attempt ``attempt_number`` (1-based).

    ``status_code`` is None when no response arrived (timeout, refused, DNS, TLS).
    """
    if succeeded:
        return Succeeded()
    if status_code == GONE_STATUS:
        return GiveUp(disable_endpoint=True)
    if attempt_number >= MAX_ATTEMPTS:
        return GiveUp()

    delay = RETRY_DELAYS[attempt_number - 1]
    if status_code in RETRY_AFTER_STATUSES:
        asked = parse_retry_after(retry_after, now)
        if asked is not None:
            delay = max(delay, min(asked, RETRY_AFTER_CAP))

    return RetryAt(now + delay + jitter_for(delay, rng))
