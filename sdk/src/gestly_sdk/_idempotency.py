"""Remembering processed event ids, so a redelivered event is handled once.

Deliveries are at least once: the same event can arrive twice (a retry after a lost
answer). Record the id when you take the event; skip it when ``mark_processed``
says it was seen.
"""

import sqlite3
import threading
from pathlib import Path
from typing import Protocol


class ProcessedEvents(Protocol):
    def mark_processed(self, event_id: str) -> bool:
        """Record ``event_id``; True the first time, False if it was seen before.

        Atomic: two concurrent calls with one id never both return True.
        """
        ...


class MemoryProcessedEvents:
    """For one process and for tests; forgets everything on restart."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def mark_processed(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen.add(event_id)
            return True


class SqliteProcessedEvents:
    """Durable across restarts and shared by processes on one machine."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        with self._connect() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS processed_events ("
                " event_id TEXT PRIMARY KEY,"
                " processed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection

    def mark_processed(self, event_id: str) -> bool:
        connection = self._connect()
        try:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO processed_events (event_id) VALUES (?)",
                (event_id,),
            )
            return cursor.rowcount == 1
        finally:
            connection.close()
