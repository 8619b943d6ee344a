"""Periodic work for the whole installation: log retention (and, with the
scheduling core, reminders). Safe to run in several processes at once: each job is a
transaction that finds its own work."""

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Final

from sqlalchemy import delete

from gestly.api.middleware import IDEMPOTENCY_TTL
from gestly.clock import Clock
from gestly.storage.database import Database
from gestly.storage.deliveries import purge_expired_logs
from gestly.storage.schema import idempotency_keys

logger = logging.getLogger(__name__)

RETENTION_INTERVAL_S: Final = 600.0
PURGE_BATCH: Final = 1000


async def enforce_retention(
    database: Database, clock: Clock, retention: timedelta
) -> int:
    """Delete logs older than ``retention`` in batches; returns events deleted."""
    cutoff = clock.now() - retention
    total = 0
    while True:
        async with database.transaction() as tx:
            deleted = await purge_expired_logs(tx, cutoff, PURGE_BATCH)
        total += deleted
        if deleted < PURGE_BATCH:
            break
    async with database.transaction() as tx:
        await tx.connection.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.created_at < clock.now() - IDEMPOTENCY_TTL
            )
        )
    if total:
        logger.info(
            "expired logs deleted events=%s",
            total,
            extra={"action": "retention.purged"},
        )
    return total


async def run_scheduler(
    database: Database, clock: Clock, retention: timedelta, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            await enforce_retention(database, clock, retention)
        except Exception:
            # The next round will try again; one bad round must not stop the rest.
            logger.exception(
                "retention round failed", extra={"action": "retention.failed"}
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RETENTION_INTERVAL_S)
