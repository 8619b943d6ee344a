"""The panel's defences: CSRF checks on every POST and sign-in throttling.

A POST is accepted only if it carries the session's CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``, which the panel's htmx requests send) and
comes from the panel's own origin (``Origin``, or ``Referer`` when a browser leaves
``Origin`` out). A request with neither header is refused.

Sign-in failures are counted in memory, per process: see the README's limitations.
"""

import hmac
from collections import deque
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from starlette.requests import Request

from gestly.panel.sessions import PanelSession

CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"

FAILURE_WINDOW: Final = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL: Final = 5
MAX_FAILURES_PER_ADDRESS: Final = 20
MAX_TRACKED_KEYS: Final = 100_000


def same_origin(request: Request) -> bool:
    """Whether the request says it comes from a page of this very host and port."""
    host = request.headers.get("host", "")
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null" or not host:
        return False
    return urlsplit(source).netloc.lower() == host.lower()


def csrf_token_matches(session: PanelSession | None, given: str | None) -> bool:
    if session is None or not given:
        return False
    return hmac.compare_digest(session.csrf_token.encode(), given.encode())


class LoginThrottle:
    """Counts failed sign-ins per email and per client address over a window.

    After ``MAX_FAILURES_PER_EMAIL`` failures for one email, or
    ``MAX_FAILURES_PER_ADDRESS`` from one address, within ``FAILURE_WINDOW``, sign-in
    is refused until the oldest failure leaves the window, right password or not.
    """

    def __init__(self) -> None:
        self.failures: dict[str, deque[datetime]] = {}

    def keys(self, email: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"email:{email.strip().lower()}", MAX_FAILURES_PER_EMAIL),
            (f"address:{address}", MAX_FAILURES_PER_ADDRESS),
        ]

    def recent(self, key: str, now: datetime) -> deque[datetime]:
        moments = self.failures.get(key, deque())
        while moments and now - moments[0] >= FAILURE_WINDOW:
            moments.popleft()
        if not moments:
            self.failures.pop(key, None)
        return moments

    def wait_needed(self, email: str, address: str, now: datetime) -> timedelta | None:
        """How long until this sign-in may be tried, or None if it may be now."""
        longest: timedelta | None = None
        for key, limit in self.keys(email, address):
            moments = self.recent(key, now)
            if len(moments) >= limit:
                wait = moments[-limit] + FAILURE_WINDOW - now
                longest = wait if longest is None else max(longest, wait)
        return longest

    def record_failure(self, email: str, address: str, now: datetime) -> None:
        if len(self.failures) >= MAX_TRACKED_KEYS:
            self.forget_expired(now)
        for key, _ in self.keys(email, address):
            self.failures.setdefault(key, deque()).append(now)

    def record_success(self, email: str) -> None:
        self.failures.pop(f"email:{email.strip().lower()}", None)

    def forget_expired(self, now: datetime) -> None:
        for key in list(self.failures):
            self.recent(key, now)
        if len(self.failures) >= MAX_TRACKED_KEYS:
            # Under a flood of distinct keys, drop the oldest half rather than grow.
            oldest = sorted(self.failures, key=lambda key: self.failures[key][-1])
            for key in oldest[: len(oldest) // 2]:
                del self.failures[key]
