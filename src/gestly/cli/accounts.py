"""``gestly accounts create`` and ``gestly demo``: accounts from the command line."""

import argparse
import getpass
import sys
from typing import Any, Final

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from gestly.clock import SystemClock
from gestly.config import Settings
from gestly.passwords import hash_password
from gestly.storage.accounts import create_account, create_token
from gestly.storage.database import Database
from gestly.storage.migrate import check_database_current
from gestly.storage.schema import accounts

DEMO_NAME: Final = "Barbearia Demo"
DEMO_EMAIL: Final = "demo@gestly.example"
DEMO_PASSWORD: Final = "gestly-demo"  # noqa: S105 - documented, development only


def normalize_account_email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"--email {email!r} is not a valid address: {exc}") from exc


def read_password(arguments: argparse.Namespace) -> str | None:
    if arguments.no_password:
        return None
    if arguments.password is not None:
        return str(arguments.password)
    if not sys.stdin.isatty():
        raise ValueError("pass --password, or --no-password for an API-only account")
    return getpass.getpass("Panel password: ")


async def create_account_command(
    settings: Settings, arguments: argparse.Namespace
) -> dict[str, Any]:
    name = arguments.name.strip()
    if not name:
        raise ValueError("--name must not be empty")
    email = normalize_account_email(arguments.email)
    password = read_password(arguments)
    password_hash = None if password is None else hash_password(password)

    database = Database(settings.database_url)
    try:
        await check_database_current(database)
        now = SystemClock().now()
        async with database.transaction() as tx:
            account = await create_account(
                tx, name=name, email=email, password_hash=password_hash, now=now
            )
            token = await create_token(tx, account_id=account.id, name="CLI", now=now)
    finally:
        await database.close()
    return {
        "account_id": account.id,
        "name": account.name,
        "email": account.email,
        "api_token": token.token,
    }


async def demo_command(settings: Settings) -> dict[str, Any]:
    """Make sure the demo account exists and print a fresh token for it.

    Only in development mode: the demo password is printed in the README.
    """
    if not settings.development:
        raise ValueError("gestly demo runs only with GESTLY_ENV=development")
    database = Database(settings.database_url)
    try:
        await check_database_current(database)
        now = SystemClock().now()
        async with database.transaction() as tx:
            account_id = await tx.connection.scalar(
                select(accounts.c.id).where(accounts.c.email == DEMO_EMAIL)
            )
            if account_id is None:
                account = await create_account(
                    tx,
                    name=DEMO_NAME,
                    email=DEMO_EMAIL,
                    password_hash=hash_password(DEMO_PASSWORD),
                    now=now,
                )
                account_id = account.id
            token = await create_token(tx, account_id=account_id, name="demo", now=now)
    finally:
        await database.close()
    return {
        "account_id": account_id,
        "api_token": token.token,
        "panel_email": DEMO_EMAIL,
        "panel_password": DEMO_PASSWORD,
    }
