"""Sending ``appointment.reminder`` events when they fall due.

Each round claims due reminders and publishes their events in the same transaction,
so a reminder is sent exactly once: not lost if the process dies, not repeated by a
second scheduler (PostgreSQL row locks are skipped, SQLite writers take turns), and
still sent, late, after downtime, as long as the appointment has not started.
"""

import logging
from typing import Final

from gestly.clock import Clock
from gestly.scheduling.payloads import appointment_data
from gestly.storage.appointments import claim_due_reminders, load_participants
from gestly.storage.database import Database
from gestly.storage.events import publish_event

logger = logging.getLogger(__name__)

REMINDER_BATCH: Final = 200


async def send_due_reminders(database: Database, clock: Clock) -> int:
    """Publish every due reminder; returns how many were sent."""
    sent = 0
    while True:
        async with database.transaction() as tx:
            now = clock.now()
            due = await claim_due_reminders(tx, now, REMINDER_BATCH)
            for appointment in due:
                if appointment.start_time <= now:
                    # Downtime outlasted the appointment's start: too late to remind.
                    continue
                data = appointment_data(
                    appointment, *await load_participants(tx.connection, appointment)
                )
                data["reminder"] = {
                    "lead_time_minutes": appointment.reminder_lead_minutes
                }
                await publish_event(
                    tx,
                    account_id=appointment.account_id,
                    event_type="appointment.reminder",
                    data=data,
                    now=now,
                )
                sent += 1
        if len(due) < REMINDER_BATCH:
            break
    if sent:
        logger.info("reminders sent count=%s", sent, extra={"action": "reminders.sent"})
    return sent
