"""``gestly``: serve, run workers, migrate, create accounts.

Every sub-command reads the same ``GESTLY_*`` settings; a bad one stops it with a
message naming the variable, and exit status 2.
"""

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Coroutine, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from gestly.cli.accounts import create_account_command, demo_command
from gestly.cli.listen import listen
from gestly.config import ConfigError, Settings, load_settings
from gestly.logs import configure_logging
from gestly.runtime import run
from gestly.storage.database import Database
from gestly.storage.migrate import upgrade_database

T = TypeVar("T")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gestly", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="run the API, the worker and the scheduler"
    )
    serve.add_argument("--host", help="listen address (GESTLY_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (GESTLY_PORT, 8000)")

    commands.add_parser("worker", help="run a delivery worker only")

    database = commands.add_parser("db", help="database schema")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    database_commands.add_parser("upgrade", help="apply pending migrations")

    accounts = commands.add_parser("accounts", help="accounts")
    account_commands = accounts.add_subparsers(dest="accounts_command", required=True)
    create = account_commands.add_parser(
        "create", help="create an account; prints its id and an API token as JSON"
    )
    create.add_argument("--name", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="panel password (asked for if omitted)")
    create.add_argument(
        "--no-password", action="store_true", help="create no panel login"
    )
    commands.add_parser(
        "demo", help="development only: ensure a demo account, print a new token"
    )

    listen = commands.add_parser(
        "listen", help="forward this account's deliveries to a local URL"
    )
    listen.add_argument(
        "--forward-to", required=True, help="e.g. http://localhost:3000/webhooks"
    )
    listen.add_argument(
        "--api-url",
        default=os.environ.get("GESTLY_API_URL")
        or f"http://127.0.0.1:{os.environ.get('GESTLY_PORT') or 8000}",
        help="the Gestly server (GESTLY_API_URL, or 127.0.0.1 on GESTLY_PORT or 8000)",
    )
    listen.add_argument(
        "--token",
        default=os.environ.get("GESTLY_API_TOKEN"),
        help="an API token (GESTLY_API_TOKEN)",
    )
    listen.add_argument(
        "--events", default="", help="comma-separated event types (default: all)"
    )
    return parser


async def upgrade(settings: Settings) -> None:
    database = Database(settings.database_url)
    try:
        await upgrade_database(database)
    finally:
        await database.close()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop where it exists: it roughly halves the event loop's share of
    each delivery (``bench/deliveries.py``)."""
    try:
        import uvloop
    except ImportError:  # Windows has no uvloop; the standard loop works too.
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def listen_command(arguments: argparse.Namespace) -> int:
    """``gestly listen`` runs on a developer's machine: it needs no settings."""
    if not arguments.token:
        print("gestly: pass --token or set GESTLY_API_TOKEN", file=sys.stderr)
        return 2
    events = [name for name in arguments.events.split(",") if name]
    try:
        run_async(
            listen(arguments.api_url, arguments.token, arguments.forward_to, events)
        )
    except ValueError as exc:
        print(f"gestly: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "listen":
        return listen_command(arguments)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"gestly: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)

    try:
        if arguments.command == "serve":
            settings = replace(
                settings,
                host=arguments.host or settings.host,
                port=arguments.port or settings.port,
            )
            run_async(run(settings, serve_api=True, run_worker=settings.run_worker))
        elif arguments.command == "worker":
            run_async(run(settings, serve_api=False, run_worker=True))
        elif arguments.command == "db":
            asyncio.run(upgrade(settings))
        elif arguments.command == "accounts":
            result = asyncio.run(create_account_command(settings, arguments))
            print(json.dumps(result, indent=2))
        elif arguments.command == "demo":
            print(json.dumps(asyncio.run(demo_command(settings)), indent=2))
    except (RuntimeError, ValueError) as exc:
        print(f"gestly: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
