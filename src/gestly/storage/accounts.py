"""Accounts and their API tokens.

A token is shown once, when it is made; only its SHA-256 is stored. SHA-256 rather than
a slow password hash is deliberate: tokens are 256 random bits, so there is nothing to
guess, and every API request must look one up quickly.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.database import Transaction
from gestly.storage.schema import accounts, api_tokens

TOKEN_PREFIX: Final = "gst_"  # noqa: S105 - a prefix, not a token
LAST_USED_GRANULARITY: Final = timedelta(minutes=1)


class EmailTakenError(ValueError):
    def __init__(self, email: str) -> None:
        super().__init__(f"an account with the email {email!r} already exists")
        self.email = email


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    email: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewToken:
    id: str
    token: str


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def create_account(
    tx: Transaction,
    *,
    name: str,
    email: str,
    password_hash: str | None,
    now: datetime,
) -> Account:
    taken = await tx.connection.scalar(
        select(func.count()).where(func.lower(accounts.c.email) == email.lower())
    )
    if taken:
        raise EmailTakenError(email)
    account = Account(id=new_id("acc"), name=name, email=email, created_at=now)
    await tx.connection.execute(
        insert(accounts).values(
            id=account.id,
            name=name,
            email=email,
            password_hash=password_hash,
            created_at=now,
        )
    )
    return account


async def create_token(
    tx: Transaction, *, account_id: str, name: str, now: datetime
) -> NewToken:
    token = generate_token()
    token_id = new_id("tok")
    await tx.connection.execute(
        insert(api_tokens).values(
            id=token_id,
            account_id=account_id,
            name=name,
            token_hash=hash_token(token),
            token_hint=token[:10],
            created_at=now,
        )
    )
    return NewToken(id=token_id, token=token)


async def find_token_account(
    connection: AsyncConnection, token: str
) -> tuple[str, str, datetime | None] | None:
    """Return ``(token_id, account_id, last_used_at)`` for a live token, else None."""
    row = (
        await connection.execute(
            select(api_tokens.c.id, api_tokens.c.account_id, api_tokens.c.last_used_at)
            .where(api_tokens.c.token_hash == hash_token(token))
            .where(api_tokens.c.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    return row.id, row.account_id, row.last_used_at


def needs_last_used_update(last_used_at: datetime | None, now: datetime) -> bool:
    """Record use at most once a minute, so reads do not become writes."""
    return last_used_at is None or now - last_used_at >= LAST_USED_GRANULARITY


async def touch_token(tx: Transaction, token_id: str, now: datetime) -> None:
    await tx.connection.execute(
        update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now)
    )


async def list_tokens(connection: AsyncConnection, account_id: str) -> list[TokenInfo]:
    rows = await connection.execute(
        select(api_tokens)
        .where(api_tokens.c.account_id == account_id)
        .where(api_tokens.c.revoked_at.is_(None))
        .order_by(api_tokens.c.id.desc())
    )
    return [
        TokenInfo(
            id=row.id,
            name=row.name,
            hint=row.token_hint,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
        )
        for row in rows
    ]


async def revoke_token(
    tx: Transaction, *, account_id: str, token_id: str, now: datetime
) -> bool:
    result = await tx.connection.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id)
        .where(api_tokens.c.account_id == account_id)
        .where(api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def account_from_row(row: Any) -> Account:
    return Account(id=row.id, name=row.name, email=row.email, created_at=row.created_at)


async def get_account(connection: AsyncConnection, account_id: str) -> Account | None:
    row = (
        await connection.execute(select(accounts).where(accounts.c.id == account_id))
    ).first()
    if row is None:
        return None
    return Account(id=row.id, name=row.name, email=row.email, created_at=row.created_at)


@dataclass(frozen=True, slots=True)
class Login:
    account: Account
    password_hash: str | None


async def find_login(connection: AsyncConnection, email: str) -> Login | None:
    """The account whose email matches (case-insensitively), with its password hash."""
    row = (
        await connection.execute(
            select(accounts).where(func.lower(accounts.c.email) == email.lower())
        )
    ).first()
    if row is None:
        return None
    return Login(account=account_from_row(row), password_hash=row.password_hash)
