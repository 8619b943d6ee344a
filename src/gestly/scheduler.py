"""Periodic work: appointment reminders every few seconds, log retention every ten
minutes. Safe to run in several processes at once: each job is a transaction that
finds and takes its own work."""

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import delete

from gestly.clock import Clock
from gestly.reminders import send_due_reminders
from gestly.storage.database import Database
from gestly.storage.deliveries import purge_expired_logs
from gestly.storage.schema import IDEMPOTENCY_TTL, idempotency_keys

logger = logging.getLogger(__name__)

RETENTION_INTERVAL_S: Final = 600.0
REMINDER_INTERVAL_S: Final = 5.0
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
    database: Database,
    clock: Clock,
    retention: timedelta,
    stop: asyncio.Event,
    reminder_interval_s: float = REMINDER_INTERVAL_S,
) -> None:
    """Run both jobs until ``stop``; a failed round is logged and tried again."""
    last_retention = -RETENTION_INTERVAL_S
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        await run_job("reminders", send_due_reminders(database, clock))
        if loop.time() - last_retention >= RETENTION_INTERVAL_S:
            await run_job("retention", enforce_retention(database, clock, retention))
            last_retention = loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), reminder_interval_s)


async def run_job(name: str, job: Coroutine[Any, Any, int]) -> None:
    try:
        await job
    except Exception:
        # The next round tries again; one bad round must not stop the scheduler.
        logger.exception("%s round failed", name, extra={"action": f"{name}.failed"})
