"""A business's settings, services and professionals."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.database import Transaction
from gestly.storage.schema import business_settings, professionals, services

# Opening and working hours: {"0": [["09:00", "18:00"]], …}, weekday 0 = Monday.
WeeklyHours = dict[str, list[list[str]]]

DEFAULT_TIME_ZONE: Final = "America/Sao_Paulo"
DEFAULT_OPENING_HOURS: Final[WeeklyHours] = {
    **{str(day): [["09:00", "18:00"]] for day in range(5)},
    "5": [["09:00", "13:00"]],
}
DEFAULT_SLOT_INTERVAL_MINUTES: Final = 30
DEFAULT_REMINDER_LEAD_MINUTES: Final = 24 * 60
DEFAULT_POINTS_PER_APPOINTMENT: Final = 10
DEFAULT_POINTS_PER_100_CENTS: Final = 1


@dataclass(frozen=True, slots=True)
class BusinessSettings:
    account_id: str
    time_zone: str
    opening_hours: WeeklyHours
    slot_interval_minutes: int
    reminder_lead_minutes: int
    points_per_appointment: int
    points_per_100_cents: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    account_id: str
    name: str
    duration_minutes: int
    price_cents: int
    currency: str
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Professional:
    id: str
    account_id: str
    name: str
    service_ids: list[str]
    working_hours: WeeklyHours
    days_off: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


def default_settings(account_id: str, now: datetime) -> BusinessSettings:
    return BusinessSettings(
        account_id=account_id,
        time_zone=DEFAULT_TIME_ZONE,
        opening_hours=DEFAULT_OPENING_HOURS,
        slot_interval_minutes=DEFAULT_SLOT_INTERVAL_MINUTES,
        reminder_lead_minutes=DEFAULT_REMINDER_LEAD_MINUTES,
        points_per_appointment=DEFAULT_POINTS_PER_APPOINTMENT,
        points_per_100_cents=DEFAULT_POINTS_PER_100_CENTS,
        updated_at=now,
    )


async def get_settings(
    connection: AsyncConnection, account_id: str, now: datetime
) -> BusinessSettings:
    """The account's settings; the defaults until it saves its own."""
    row = (
        await connection.execute(
            select(business_settings).where(
                business_settings.c.account_id == account_id
            )
        )
    ).first()
    if row is None:
        return default_settings(account_id, now)
    return BusinessSettings(**row._mapping)


async def save_settings(tx: Transaction, settings: BusinessSettings) -> None:
    values = asdict(settings)
    result = await tx.connection.execute(
        update(business_settings)
        .where(business_settings.c.account_id == settings.account_id)
        .values(**values)
    )
    if result.rowcount == 0:
        await tx.connection.execute(insert(business_settings).values(**values))


async def create_service(tx: Transaction, values: dict[str, Any]) -> Service:
    service = Service(id=new_id("srv"), **values)
    await tx.connection.execute(insert(services).values(**asdict(service)))
    return service


async def get_service(
    connection: AsyncConnection, account_id: str, service_id: str
) -> Service | None:
    row = (
        await connection.execute(
            select(services).where(
                services.c.account_id == account_id, services.c.id == service_id
            )
        )
    ).first()
    return None if row is None else Service(**row._mapping)


async def list_services(
    connection: AsyncConnection, account_id: str, *, cursor: str | None, limit: int
) -> list[Service]:
    query = select(services).where(services.c.account_id == account_id)
    if cursor is not None:
        query = query.where(services.c.id < cursor)
    rows = await connection.execute(query.order_by(services.c.id.desc()).limit(limit))
    return [Service(**row._mapping) for row in rows]


async def update_service(
    tx: Transaction, account_id: str, service_id: str, changes: dict[str, Any]
) -> Service | None:
    await tx.connection.execute(
        update(services)
        .where(services.c.account_id == account_id, services.c.id == service_id)
        .values(**changes)
    )
    return await get_service(tx.connection, account_id, service_id)


async def create_professional(tx: Transaction, values: dict[str, Any]) -> Professional:
    professional = Professional(id=new_id("stf"), **values)
    await tx.connection.execute(insert(professionals).values(**asdict(professional)))
    return professional


async def get_professional(
    connection: AsyncConnection,
    account_id: str,
    professional_id: str,
    *,
    lock: bool = False,
) -> Professional | None:
    """``lock`` takes the row for the transaction (PostgreSQL), so two bookings for
    one professional are decided one after the other."""
    query = select(professionals).where(
        professionals.c.account_id == account_id,
        professionals.c.id == professional_id,
    )
    if lock:
        query = query.with_for_update()
    row = (await connection.execute(query)).first()
    return None if row is None else Professional(**row._mapping)


async def list_professionals(
    connection: AsyncConnection,
    account_id: str,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    active_only: bool = False,
) -> list[Professional]:
    query = select(professionals).where(professionals.c.account_id == account_id)
    if active_only:
        query = query.where(professionals.c.active.is_(True))
    if cursor is not None:
        query = query.where(professionals.c.id < cursor)
    query = query.order_by(professionals.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [Professional(**row._mapping) for row in await connection.execute(query)]


async def update_professional(
    tx: Transaction, account_id: str, professional_id: str, changes: dict[str, Any]
) -> Professional | None:
    await tx.connection.execute(
        update(professionals)
        .where(
            professionals.c.account_id == account_id,
            professionals.c.id == professional_id,
        )
        .values(**changes)
    )
    return await get_professional(tx.connection, account_id, professional_id)
