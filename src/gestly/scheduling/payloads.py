"""The ``data`` of every scheduling event, built from plain records.

Shapes follow the event catalog (``gestly.webhooks.catalog``); the tests validate
every emitted event against its JSON Schema. Nothing here touches a database: the
callers pass in the records they already loaded.
"""

from datetime import datetime
from typing import Any, Protocol

from gestly.clock import format_timestamp


class Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


class AppointmentLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def start_time(self) -> datetime: ...

    @property
    def end_time(self) -> datetime: ...

    @property
    def status(self) -> str: ...

    @property
    def notes(self) -> str | None: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def updated_at(self) -> datetime: ...

    @property
    def cancelled_at(self) -> datetime | None: ...

    @property
    def cancellation_reason(self) -> str | None: ...


def timestamp_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def reference(item: Named) -> dict[str, str]:
    return {"id": item.id, "name": item.name}


def appointment_data(
    appointment: AppointmentLike,
    customer: Named,
    service: Named,
    professional: Named | None,
) -> dict[str, Any]:
    return {
        "id": appointment.id,
        "customer": reference(customer),
        "service": reference(service),
        "professional": None if professional is None else reference(professional),
        "start_time": format_timestamp(appointment.start_time),
        "end_time": format_timestamp(appointment.end_time),
        "status": appointment.status,
        "notes": appointment.notes,
        "created_at": format_timestamp(appointment.created_at),
        "updated_at": format_timestamp(appointment.updated_at),
        "cancelled_at": timestamp_or_none(appointment.cancelled_at),
        "cancellation_reason": appointment.cancellation_reason,
    }


def changed_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``previous_attributes``: the old value of every key whose value changed."""
    return {key: value for key, value in before.items() if after.get(key) != value}


def with_previous(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {**after, "previous_attributes": changed_attributes(before, after)}
