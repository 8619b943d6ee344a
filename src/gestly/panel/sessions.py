"""Panel sessions: a cookie signed with ``GESTLY_SECRET_KEY``, holding no secrets.

The cookie carries the signed-in account's id (or none, before sign-in), the
session's CSRF token and when it was issued; never a password or an API token. It is
checked with HMAC-SHA256 and expires ``SESSION_MAX_AGE`` after sign-in. Nothing is
stored on the server, so signing out clears the cookie in that browser only: a copy
taken before stays valid until it expires (see the README's limitations).
"""

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

COOKIE_NAME: Final = "gestly_painel"
COOKIE_PATH: Final = "/painel"
SESSION_MAX_AGE: Final = timedelta(hours=12)
CSRF_TOKEN_BYTES: Final = 32


@dataclass(frozen=True, slots=True)
class PanelSession:
    """``account_id`` is None for a visitor who has not signed in yet."""

    account_id: str | None
    csrf_token: str
    issued_at: int  # Unix seconds

    def expired(self, now: datetime) -> bool:
        return now.timestamp() - self.issued_at >= SESSION_MAX_AGE.total_seconds()


def new_session(account_id: str | None, now: datetime) -> PanelSession:
    """A fresh session with a new CSRF token: sign-in never keeps the old one."""
    return PanelSession(
        account_id=account_id,
        csrf_token=secrets.token_urlsafe(CSRF_TOKEN_BYTES),
        issued_at=int(now.timestamp()),
    )


def signature(key: str, payload: str) -> str:
    digest = hmac.new(key.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def encode_session(session: PanelSession, key: str) -> str:
    document = {
        "a": session.account_id,
        "c": session.csrf_token,
        "i": session.issued_at,
    }
    payload = base64.urlsafe_b64encode(
        json.dumps(document, separators=(",", ":")).encode()
    ).decode()
    return f"{payload}.{signature(key, payload)}"


def decode_session(cookie: str | None, key: str, now: datetime) -> PanelSession | None:
    """The session in ``cookie``; None if absent, forged, malformed or expired."""
    if not cookie:
        return None
    payload, _, given = cookie.partition(".")
    if not hmac.compare_digest(given.encode(), signature(key, payload).encode()):
        return None
    try:
        document = json.loads(base64.urlsafe_b64decode(payload.encode()))
        session = PanelSession(
            account_id=document["a"],
            csrf_token=str(document["c"]),
            issued_at=int(document["i"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if session.account_id is not None and not isinstance(session.account_id, str):
        return None
    return None if session.expired(now) else session
