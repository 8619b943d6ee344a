"""Connections and transactions for SQLite and PostgreSQL.

Callers write ``async with database.transaction() as tx:`` and run Core statements on
``tx.connection``; the block commits when it ends and rolls back if it raises.
``tx.after_commit`` registers work that must only happen once the commit is durable,
such as waking the delivery worker in this process.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit is on disk before the API
answers, so an acknowledged event survives a power cut. Writes go through a single
connection that starts its transactions with ``BEGIN IMMEDIATE`` (no lock upgrades,
hence no deadlocks between writers); reads use a small pool of their own and never
wait for writers.
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


@dataclass
class Transaction:
    connection: AsyncConnection
    dialect: str
    wake_local_workers: Callable[[], None]
    callbacks: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this transaction has committed (never on rollback)."""
        self.callbacks.append(callback)


def to_driver_url(database_url: str) -> str:
    """Turn a user-facing URL into the async driver URL SQLAlchemy expects."""
    if database_url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + database_url.removeprefix("sqlite:///")
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+asyncpg://" + database_url.removeprefix(prefix)
    raise ValueError(f"unsupported database URL {database_url!r}")


def configure_sqlite_connection(dbapi_connection: Any, *, writer: bool) -> None:
    # Leave transaction control to SQLAlchemy's "begin" hook below, not the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if not writer:
        cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def create_sqlite_engine(driver_url: str, *, writer: bool) -> AsyncEngine:
    engine = create_async_engine(
        driver_url,
        pool_size=1 if writer else 4,
        max_overflow=0,
        pool_timeout=60,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        configure_sqlite_connection(dbapi_connection, writer=writer)

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: SyncConnection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


class Database:
    """One database, whichever kind; the only place that knows about drivers."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        driver_url = to_driver_url(database_url)
        if driver_url.startswith("sqlite"):
            self.dialect = "sqlite"
            path = Path(database_url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = create_sqlite_engine(driver_url, writer=True)
            self.reader = create_sqlite_engine(driver_url, writer=False)
        else:
            self.dialect = "postgresql"
            self.writer = create_async_engine(
                driver_url, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
            self.reader = self.writer
        self.wakeup_listeners: list[Callable[[], None]] = []

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A read-write transaction that commits at the end of the block."""
        async with self.writer.connect() as connection:
            tx = Transaction(connection, self.dialect, self.wake_local_workers)
            async with connection.begin():
                yield tx
        for callback in tx.callbacks:
            callback()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only snapshot for queries that change nothing."""
        async with self.reader.connect() as connection, connection.begin():
            yield connection

    def add_wakeup_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever a commit in this process made work due."""
        self.wakeup_listeners.append(listener)

    def wake_local_workers(self) -> None:
        for listener in self.wakeup_listeners:
            listener()

    async def close(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
