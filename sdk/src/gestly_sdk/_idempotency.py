"""Remembering processed event ids, so that a redelivered event is handled once.

Gestly delivers at least once: an event arrives again when an answer was lost, when a
retry overlaps a slow first attempt, or when someone resends it from the panel. Call
``mark_processed(event.id)`` before doing the work and skip the event when it says
False. If the work then fails, ``forget(event.id)`` lets a later redelivery through.
"""

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Final, Protocol

SQLITE_BUSY_TIMEOUT_S: Final = 30.0

CREATE_TABLE: Final = """
CREATE TABLE IF NOT EXISTS gestly_processed_events (
    event_id TEXT PRIMARY KEY,
    processed_at_unix_s INTEGER NOT NULL
)
"""
# The primary key makes the insert the atomic test-and-set: of two connections, in
# threads or processes, inserting one id, exactly one changes a row.
INSERT_EVENT: Final = """
INSERT OR IGNORE INTO gestly_processed_events (event_id, processed_at_unix_s)
VALUES (?, ?)
"""
DELETE_EVENT: Final = "DELETE FROM gestly_processed_events WHERE event_id = ?"
DELETE_OLDER_THAN: Final = """
DELETE FROM gestly_processed_events WHERE processed_at_unix_s < ?
"""


class ProcessedEvents(Protocol):
    """Where processed event ids are kept: any object with this method fits (a table
    with a unique key in your own database is a good one)."""

    def mark_processed(self, event_id: str) -> bool:
        """Record ``event_id``: True the first time, False if it was already there.

        Atomic: of concurrent calls with one id, exactly one returns True.
        """
        ...


class MemoryProcessedEvents:
    """For tests and single-process receivers: thread-safe, forgotten on restart,
    and it grows with every id (Gestly's event ids are never reused)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def mark_processed(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen.add(event_id)
            return True

    def forget(self, event_id: str) -> None:
        """Let the next delivery of ``event_id`` through (after a failed attempt)."""
        with self._lock:
            self._seen.discard(event_id)


class SqliteProcessedEvents:
    """Durable across restarts, shared by threads and processes on one machine.

    Opens one connection per call, so one instance may be used from any thread (and
    from a forked child). The table is ``gestly_processed_events``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        connection = self._connect()
        try:
            # WAL lets readers and one writer work at once; it is a property of the
            # file, so setting it once is enough.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(CREATE_TABLE)
        finally:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        # Autocommit: each statement is its own transaction.
        return sqlite3.connect(
            self.path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None
        )

    def _execute(self, statement: str, parameters: tuple[object, ...]) -> int:
        connection = self._connect()
        try:
            return connection.execute(statement, parameters).rowcount
        finally:
            connection.close()

    def mark_processed(self, event_id: str) -> bool:
        return self._execute(INSERT_EVENT, (event_id, int(time.time()))) == 1

    def forget(self, event_id: str) -> None:
        """Let the next delivery of ``event_id`` through (after a failed attempt)."""
        self._execute(DELETE_EVENT, (event_id,))

    def delete_older_than(self, age: timedelta) -> int:
        """Drop ids recorded more than ``age`` ago; return how many.

        Keep them longer than Gestly may deliver again: automatic retries span about
        15 hours, and a delivery can be resent by hand while its log is kept
        (30 days by default).
        """
        cutoff = int(time.time() - age.total_seconds())
        return self._execute(DELETE_OLDER_THAN, (cutoff,))
