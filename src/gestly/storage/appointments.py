"""Appointments, and the reminders that fall due before them."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.business import Professional, Service, get_professional, get_service
from gestly.storage.customers import Customer, get_customer
from gestly.storage.database import Transaction
from gestly.storage.schema import appointments

ACTIVE_STATUSES = ("scheduled", "confirmed")


@dataclass(frozen=True, slots=True)
class Appointment:
    id: str
    account_id: str
    customer_id: str
    service_id: str
    professional_id: str
    start_time: datetime
    end_time: datetime
    status: str
    notes: str | None
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    cancellation_reason: str | None
    reminder_due_at: datetime | None
    reminder_lead_minutes: int


async def insert_appointment(tx: Transaction, values: dict[str, Any]) -> Appointment:
    appointment = Appointment(id=new_id("apt"), **values)
    await tx.connection.execute(insert(appointments).values(**asdict(appointment)))
    return appointment


async def get_appointment(
    connection: AsyncConnection, account_id: str, appointment_id: str
) -> Appointment | None:
    row = (
        await connection.execute(
            select(appointments).where(
                appointments.c.account_id == account_id,
                appointments.c.id == appointment_id,
            )
        )
    ).first()
    return None if row is None else Appointment(**row._mapping)


async def load_participants(
    connection: AsyncConnection, appointment: Appointment
) -> tuple[Customer, Service, Professional | None]:
    """The customer, service and professional an appointment's payload names."""
    account_id = appointment.account_id
    customer = await get_customer(connection, account_id, appointment.customer_id)
    service = await get_service(connection, account_id, appointment.service_id)
    professional = await get_professional(
        connection, account_id, appointment.professional_id
    )
    assert customer is not None, "appointments keep their customer"
    assert service is not None, "appointments keep their service"
    return customer, service, professional


async def list_appointments(
    connection: AsyncConnection,
    account_id: str,
    *,
    status: str | None,
    customer_id: str | None,
    professional_id: str | None,
    starts_after: datetime | None,
    starts_before: datetime | None,
    cursor: str | None,
    limit: int,
) -> list[Appointment]:
    query = select(appointments).where(appointments.c.account_id == account_id)
    if status is not None:
        query = query.where(appointments.c.status == status)
    if customer_id is not None:
        query = query.where(appointments.c.customer_id == customer_id)
    if professional_id is not None:
        query = query.where(appointments.c.professional_id == professional_id)
    if starts_after is not None:
        query = query.where(appointments.c.start_time >= starts_after)
    if starts_before is not None:
        query = query.where(appointments.c.start_time < starts_before)
    if cursor is not None:
        query = query.where(appointments.c.id < cursor)
    rows = await connection.execute(
        query.order_by(appointments.c.id.desc()).limit(limit)
    )
    return [Appointment(**row._mapping) for row in rows]


async def list_busy_intervals(
    connection: AsyncConnection,
    professional_ids: list[str],
    start: datetime,
    end: datetime,
    *,
    ignore_appointment_id: str | None = None,
) -> dict[str, list[tuple[datetime, datetime]]]:
    """Active appointments of these professionals that overlap ``[start, end)``."""
    query = select(
        appointments.c.professional_id,
        appointments.c.start_time,
        appointments.c.end_time,
    ).where(
        appointments.c.professional_id.in_(professional_ids),
        appointments.c.status.in_(ACTIVE_STATUSES),
        appointments.c.start_time < end,
        appointments.c.end_time > start,
    )
    if ignore_appointment_id is not None:
        query = query.where(appointments.c.id != ignore_appointment_id)
    busy: dict[str, list[tuple[datetime, datetime]]] = {
        professional_id: [] for professional_id in professional_ids
    }
    for row in await connection.execute(query):
        busy[row.professional_id].append((row.start_time, row.end_time))
    return busy


async def update_appointment(
    tx: Transaction, appointment_id: str, changes: dict[str, Any]
) -> None:
    await tx.connection.execute(
        update(appointments)
        .where(appointments.c.id == appointment_id)
        .values(**changes)
    )


async def claim_due_reminders(
    tx: Transaction, now: datetime, limit: int
) -> list[Appointment]:
    """Take reminders that are due, clearing them in the same transaction.

    The caller publishes each reminder's event in ``tx``: reminder and event commit
    together, so every reminder is sent once, even with several schedulers (on
    PostgreSQL they skip each other's rows), and late ones are still sent after
    downtime.
    """
    query = (
        select(appointments)
        .where(
            appointments.c.reminder_due_at <= now,
            appointments.c.status.in_(ACTIVE_STATUSES),
        )
        .order_by(appointments.c.reminder_due_at)
        .limit(limit)
    )
    if tx.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = [Appointment(**row._mapping) for row in await tx.connection.execute(query)]
    if due:
        await tx.connection.execute(
            update(appointments)
            .where(appointments.c.id.in_([item.id for item in due]))
            .values(reminder_due_at=None)
        )
    return due
