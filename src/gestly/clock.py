"""Time as the rest of the code sees it, so tests can move it by hand.

Every part that needs "now" takes a ``Clock``. Production uses ``SystemClock``; tests
use ``ManualClock`` to walk a delivery through a twelve-hour retry schedule without
sleeping. Times are aware UTC datetimes throughout.
"""

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until ``advance`` or ``set`` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta

    def set(self, moment: datetime) -> None:
        self.current = moment


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime the way payloads carry it: ``2026-01-02T14:00:00Z``.

    Microseconds are dropped: payload times are whole seconds.
    """
    utc = moment.astimezone(UTC).replace(microsecond=0)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def format_precise_timestamp(moment: datetime) -> str:
    """Like ``format_timestamp`` but keeps milliseconds, for logs of attempts."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 time with an offset or ``Z`` into aware UTC.

    Raises ``ValueError`` for a time without an offset: a naive time would have to be
    guessed, and guessing time zones is how appointments move by three hours.
    """
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset; add 'Z' or '+00:00'")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is outside the years 1 to 9999 in UTC") from None
