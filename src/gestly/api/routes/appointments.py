"""``/v1/availability`` and ``/v1/appointments``: booking, rescheduling, status
changes and cancellation, each with its ``appointment.*`` event."""

import datetime as dt
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.api.dependencies import (
    AccountId,
    Page,
    PageOf,
    ServicesDep,
    list_response,
    read_time,
)
from gestly.api.errors import BadRequest, Conflict, NotFound, Unprocessable
from gestly.api.models import StrictModel
from gestly.clock import format_timestamp
from gestly.scheduling.payloads import appointment_data, reference, with_previous
from gestly.scheduling.rules import (
    STATUSES,
    LoyaltyRule,
    RuleError,
    check_transition,
    reminder_due_at,
)
from gestly.scheduling.slots import (
    REFUSAL_MESSAGES,
    Agenda,
    Refusal,
    check_booking,
    day_bounds,
    find_free_slots,
)
from gestly.storage import appointments as appointment_store
from gestly.storage import business, loyalty
from gestly.storage.customers import Customer, get_customer
from gestly.storage.database import Transaction
from gestly.storage.events import publish_event

router = APIRouter(prefix="/v1", tags=["appointments"])
AppointmentPage = Annotated[Page, Depends(PageOf("apt"))]

Notes = Annotated[str, Field(max_length=2000)]


class AppointmentCreate(StrictModel):
    customer_id: str
    service_id: str
    start_time: str
    professional_id: str | None = None
    notes: Notes | None = None


class AppointmentUpdate(StrictModel):
    start_time: str | None = None
    professional_id: str | None = None
    notes: Notes | None = None
    status: str | None = None


class Cancellation(StrictModel):
    reason: Annotated[str, Field(max_length=500)] | None = None


LAST_BOOKABLE_YEAR = 9998  # a service must end before datetime's last day


def parse_start(text: str) -> datetime:
    moment = read_time(text, "start_time")
    assert moment is not None
    if moment.year > LAST_BOOKABLE_YEAR:
        raise Unprocessable(
            f"start_time {text!r} is too far in the future", field="start_time"
        )
    return moment.replace(microsecond=0)


async def describe(
    connection: AsyncConnection, appointment: appointment_store.Appointment
) -> dict[str, Any]:
    """The appointment as the API and its events show it."""
    return appointment_data(
        appointment, *await appointment_store.load_participants(connection, appointment)
    )


async def agenda_for(
    connection: AsyncConnection,
    professional: business.Professional,
    start: datetime,
    end: datetime,
    ignore_appointment_id: str | None = None,
) -> Agenda:
    busy = await appointment_store.list_busy_intervals(
        connection,
        [professional.id],
        start,
        end,
        ignore_appointment_id=ignore_appointment_id,
    )
    return Agenda(
        professional_id=professional.id,
        working_hours=professional.working_hours,
        days_off=frozenset(dt.date.fromisoformat(day) for day in professional.days_off),
        busy=tuple(busy[professional.id]),
    )


async def load_service(
    connection: AsyncConnection, account_id: str, service_id: str
) -> business.Service:
    service = await business.get_service(connection, account_id, service_id)
    if service is None:
        raise Unprocessable(
            f"no service {service_id!r} in this account", field="service_id"
        )
    if not service.active:
        raise Unprocessable(
            f"the service {service.name!r} is not offered any more", field="service_id"
        )
    return service


async def candidate_professionals(
    connection: AsyncConnection,
    account_id: str,
    service: business.Service,
    professional_id: str | None,
) -> list[business.Professional]:
    """The named professional, or every active one who performs ``service``."""
    if professional_id is None:
        everyone = await business.list_professionals(
            connection, account_id, active_only=True
        )
        return sorted(
            (item for item in everyone if service.id in item.service_ids),
            key=lambda item: item.id,
        )
    professional = await business.get_professional(
        connection, account_id, professional_id
    )
    if professional is None or not professional.active:
        raise Unprocessable(
            f"no active professional {professional_id!r} in this account",
            field="professional_id",
        )
    if service.id not in professional.service_ids:
        raise Unprocessable(
            f"{professional.name} does not perform {service.name}",
            field="professional_id",
        )
    return [professional]


@router.get("/availability")
async def get_availability(
    account_id: AccountId,
    services: ServicesDep,
    date: Annotated[str, Query(description="the local date, YYYY-MM-DD")],
    service_id: str,
    professional_id: str | None = None,
) -> dict[str, Any]:
    """Free slots on a local date, in the business's time zone; past ones excluded."""
    try:
        day = dt.date.fromisoformat(date)
        if day.year > LAST_BOOKABLE_YEAR:
            raise ValueError(date)
    except ValueError:
        raise BadRequest(
            f"date {date!r} is not a date like 2026-01-02", field="date"
        ) from None
    now = services.clock.now()
    async with services.database.read() as connection:
        settings = await business.get_settings(connection, account_id, now)
        service = await load_service(connection, account_id, service_id)
        candidates = await candidate_professionals(
            connection, account_id, service, professional_id
        )
        zone = ZoneInfo(settings.time_zone)
        start, end = day_bounds(day, zone)
        agendas = [
            await agenda_for(connection, item, start, end) for item in candidates
        ]
    slots = find_free_slots(
        day=day,
        zone=zone,
        opening_hours=settings.opening_hours,
        slot_interval_minutes=settings.slot_interval_minutes,
        duration_minutes=service.duration_minutes,
        agendas=agendas,
        now=now,
    )
    return {
        "date": day.isoformat(),
        "service_id": service.id,
        "time_zone": settings.time_zone,
        "slots": [
            {
                "start_time": format_timestamp(slot.start),
                "end_time": format_timestamp(slot.end),
                "professional_id": slot.professional_id,
            }
            for slot in slots
        ],
    }


async def reserve_professional(
    tx: Transaction,
    candidates: list[business.Professional],
    start: datetime,
    duration_minutes: int,
    settings: business.BusinessSettings,
    now: datetime,
    ignore_appointment_id: str | None = None,
) -> business.Professional:
    """The first candidate free for the whole service, locked for this transaction.

    Each candidate's row is locked before its agenda is read (PostgreSQL; SQLite
    writers take turns anyway), so two requests for the last free slot are decided
    one after the other: exactly one wins.
    """
    end = start + timedelta(minutes=duration_minutes)
    zone = ZoneInfo(settings.time_zone)
    refusals: list[Refusal] = []
    for candidate in candidates:
        locked = await business.get_professional(
            tx.connection, candidate.account_id, candidate.id, lock=True
        )
        assert locked is not None
        agenda = await agenda_for(
            tx.connection, locked, start, end, ignore_appointment_id
        )
        refusal = check_booking(
            start=start,
            duration_minutes=duration_minutes,
            zone=zone,
            opening_hours=settings.opening_hours,
            agenda=agenda,
            now=now,
        )
        if refusal is None:
            return locked
        refusals.append(refusal)
    if not refusals:
        raise Unprocessable(
            "no active professional performs this service", field="service_id"
        )
    if Refusal.SLOT_TAKEN in refusals:
        raise Conflict(
            "that time is no longer free; see GET /v1/availability for free slots"
        )
    raise Unprocessable(
        REFUSAL_MESSAGES[refusals[0]] + "; see GET /v1/availability",
        field="start_time",
    )


@router.post("/appointments", status_code=201)
async def book_appointment(
    body: AppointmentCreate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    start = parse_start(body.start_time)
    now = services.clock.now()
    async with services.database.transaction() as tx:
        customer = await get_customer(tx.connection, account_id, body.customer_id)
        if customer is None:
            raise Unprocessable(
                f"no customer {body.customer_id!r} in this account",
                field="customer_id",
            )
        service = await load_service(tx.connection, account_id, body.service_id)
        settings = await business.get_settings(tx.connection, account_id, now)
        candidates = await candidate_professionals(
            tx.connection, account_id, service, body.professional_id
        )
        professional = await reserve_professional(
            tx, candidates, start, service.duration_minutes, settings, now
        )
        appointment = await appointment_store.insert_appointment(
            tx,
            {
                "account_id": account_id,
                "customer_id": customer.id,
                "service_id": service.id,
                "professional_id": professional.id,
                "start_time": start,
                "end_time": start + timedelta(minutes=service.duration_minutes),
                "status": "scheduled",
                "notes": body.notes or None,
                "created_at": now,
                "updated_at": now,
                "cancelled_at": None,
                "cancellation_reason": None,
                "reminder_due_at": reminder_due_at(
                    start, settings.reminder_lead_minutes, now
                ),
                "reminder_lead_minutes": settings.reminder_lead_minutes,
            },
        )
        data = appointment_data(appointment, customer, service, professional)
        await publish_event(
            tx,
            account_id=account_id,
            event_type="appointment.create",
            data=data,
            now=now,
        )
    return data


@router.get("/appointments")
async def list_appointments(
    account_id: AccountId,
    services: ServicesDep,
    page: AppointmentPage,
    status: str | None = None,
    customer_id: str | None = None,
    professional_id: str | None = None,
    starts_after: str | None = None,
    starts_before: str | None = None,
) -> dict[str, Any]:
    if status is not None and status not in STATUSES:
        raise BadRequest(
            f"status {status!r} is not one of {', '.join(STATUSES)}", field="status"
        )
    async with services.database.read() as connection:
        found = await appointment_store.list_appointments(
            connection,
            account_id,
            status=status,
            customer_id=customer_id,
            professional_id=professional_id,
            starts_after=read_time(starts_after, "starts_after"),
            starts_before=read_time(starts_before, "starts_before"),
            cursor=page.cursor,
            limit=page.limit + 1,
        )
        items = [await describe(connection, item) for item in found]
    return list_response(items, page.limit)


async def load_appointment(
    connection: AsyncConnection, account_id: str, appointment_id: str
) -> appointment_store.Appointment:
    appointment = await appointment_store.get_appointment(
        connection, account_id, appointment_id
    )
    if appointment is None:
        raise NotFound(f"no appointment {appointment_id!r} in this account")
    return appointment


@router.get("/appointments/{appointment_id}")
async def get_appointment(
    appointment_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    async with services.database.read() as connection:
        appointment = await load_appointment(connection, account_id, appointment_id)
        return await describe(connection, appointment)


async def credit_completion(
    tx: Transaction,
    appointment: appointment_store.Appointment,
    customer: Customer,
    settings: business.BusinessSettings,
    now: datetime,
) -> None:
    """Points for a completed appointment, per the account's loyalty rule."""
    service = await business.get_service(
        tx.connection, appointment.account_id, appointment.service_id
    )
    assert service is not None
    rule = LoyaltyRule(settings.points_per_appointment, settings.points_per_100_cents)
    points = rule.points_for(service.price_cents)
    if points <= 0:
        return
    balance = await loyalty.change_balance(tx, customer.id, points, now)
    assert balance is not None, "crediting points cannot go below zero"
    await loyalty.add_entry(
        tx,
        {
            "account_id": appointment.account_id,
            "customer_id": customer.id,
            "points": points,
            "balance_after": balance,
            "reason": "appointment_completed",
            "appointment_id": appointment.id,
            "redemption_id": None,
            "created_at": now,
        },
    )
    await publish_event(
        tx,
        account_id=appointment.account_id,
        event_type="loyalty.points_earned",
        data={
            "customer": reference(customer),
            "points": points,
            "balance": balance,
            "reason": "appointment_completed",
            "appointment_id": appointment.id,
            "created_at": format_timestamp(now),
        },
        now=now,
    )


@router.patch("/appointments/{appointment_id}")
async def update_appointment(
    appointment_id: str,
    body: AppointmentUpdate,
    account_id: AccountId,
    services: ServicesDep,
) -> dict[str, Any]:
    """Reschedule (``start_time``, ``professional_id``), change ``notes``, or move the
    ``status`` along scheduled → confirmed → completed or no_show."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("status") == "cancelled":
        raise Unprocessable(
            "cancel with POST /v1/appointments/{id}/cancel and a reason",
            field="status",
        )
    for name in ("start_time", "status"):
        if name in changes and changes[name] is None:
            raise Unprocessable(f"{name} cannot be null", field=name)
    now = services.clock.now()
    async with services.database.transaction() as tx:
        current = await load_appointment(tx.connection, account_id, appointment_id)
        before = await describe(tx.connection, current)
        settings = await business.get_settings(tx.connection, account_id, now)
        updated = replace(current, updated_at=now)

        if "status" in changes and changes["status"] != current.status:
            try:
                check_transition(current.status, changes["status"])
            except RuleError as exc:
                raise Conflict(str(exc)) from None
            updated = replace(updated, status=changes["status"])
            if updated.status in {"completed", "no_show"}:
                updated = replace(updated, reminder_due_at=None)

        moving = "start_time" in changes or (
            changes.get("professional_id") not in {None, current.professional_id}
        )
        if moving:
            if current.status not in appointment_store.ACTIVE_STATUSES:
                raise Conflict(f"an appointment that is {current.status} cannot move")
            start = (
                parse_start(changes["start_time"])
                if "start_time" in changes
                else current.start_time
            )
            service = await load_service(tx.connection, account_id, current.service_id)
            candidates = await candidate_professionals(
                tx.connection,
                account_id,
                service,
                changes.get("professional_id") or current.professional_id,
            )
            professional = await reserve_professional(
                tx,
                candidates,
                start,
                service.duration_minutes,
                settings,
                now,
                ignore_appointment_id=current.id,
            )
            updated = replace(
                updated,
                start_time=start,
                end_time=start + timedelta(minutes=service.duration_minutes),
                professional_id=professional.id,
                # A new time re-arms the reminder, with the current lead time.
                reminder_due_at=reminder_due_at(
                    start, settings.reminder_lead_minutes, now
                ),
                reminder_lead_minutes=settings.reminder_lead_minutes,
            )
        if "notes" in changes:
            updated = replace(updated, notes=changes["notes"] or None)

        after = await describe(tx.connection, updated)
        if {**after, "updated_at": None} == {**before, "updated_at": None}:
            return before
        await appointment_store.update_appointment(
            tx,
            current.id,
            {
                "status": updated.status,
                "start_time": updated.start_time,
                "end_time": updated.end_time,
                "professional_id": updated.professional_id,
                "notes": updated.notes,
                "updated_at": now,
                "reminder_due_at": updated.reminder_due_at,
                "reminder_lead_minutes": updated.reminder_lead_minutes,
            },
        )
        await publish_event(
            tx,
            account_id=account_id,
            event_type="appointment.update",
            data=with_previous(before, after),
            now=now,
        )
        if updated.status == "completed" and current.status != "completed":
            customer = await get_customer(
                tx.connection, account_id, current.customer_id
            )
            assert customer is not None
            await credit_completion(tx, updated, customer, settings, now)
    return after


@router.post("/appointments/{appointment_id}/cancel")
async def cancel_appointment(
    appointment_id: str,
    account_id: AccountId,
    services: ServicesDep,
    body: Cancellation | None = None,
) -> dict[str, Any]:
    """Cancel with an optional ``reason``; no reminder is sent for it afterwards."""
    reason = (body or Cancellation()).reason or None
    now = services.clock.now()
    async with services.database.transaction() as tx:
        current = await load_appointment(tx.connection, account_id, appointment_id)
        if current.status not in appointment_store.ACTIVE_STATUSES:
            raise Conflict(
                f"an appointment that is {current.status} cannot be cancelled"
            )
        cancelled = replace(
            current,
            status="cancelled",
            cancelled_at=now,
            cancellation_reason=reason,
            updated_at=now,
            reminder_due_at=None,
        )
        await appointment_store.update_appointment(
            tx,
            current.id,
            {
                "status": "cancelled",
                "cancelled_at": now,
                "cancellation_reason": reason,
                "updated_at": now,
                "reminder_due_at": None,
            },
        )
        data = await describe(tx.connection, cancelled)
        await publish_event(
            tx,
            account_id=account_id,
            event_type="appointment.cancel",
            data=data,
            now=now,
        )
    return data
