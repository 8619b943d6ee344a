"""Typed events, built from a verified envelope.

Known types become their own class with typed fields; an unknown type becomes a plain
``Event`` with its raw ``data``, so a type added later never breaks a receiver
written today. Fields added later are ignored.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gestly_sdk._errors import InvalidPayloadError

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    created_at: datetime
    data: Data


@dataclass(frozen=True, slots=True)
class Reference:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Appointment:
    id: str
    customer: Reference
    service: Reference
    professional: Reference | None
    start_time: datetime
    end_time: datetime
    status: str
    notes: str | None
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    cancellation_reason: str | None


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewResponse:
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    rating: int
    comment: str | None
    customer: Reference
    appointment_id: str
    created_at: datetime
    response: ReviewResponse | None


@dataclass(frozen=True, slots=True)
class Reward:
    id: str
    name: str
    points_cost: int


@dataclass(frozen=True, slots=True)
class AppointmentCreated(Event):
    appointment: Appointment


@dataclass(frozen=True, slots=True)
class AppointmentUpdated(Event):
    appointment: Appointment
    previous_attributes: Data


@dataclass(frozen=True, slots=True)
class AppointmentCancelled(Event):
    appointment: Appointment


@dataclass(frozen=True, slots=True)
class AppointmentReminder(Event):
    appointment: Appointment
    lead_time_minutes: int


@dataclass(frozen=True, slots=True)
class CustomerCreated(Event):
    customer: Customer


@dataclass(frozen=True, slots=True)
class CustomerUpdated(Event):
    customer: Customer
    previous_attributes: Data


@dataclass(frozen=True, slots=True)
class ReviewCreated(Event):
    review: Review


@dataclass(frozen=True, slots=True)
class ReviewResponded(Event):
    review: Review


@dataclass(frozen=True, slots=True)
class PointsEarned(Event):
    customer: Reference
    points: int
    balance: int
    reason: str
    appointment_id: str | None


@dataclass(frozen=True, slots=True)
class RewardRedeemed(Event):
    redemption_id: str
    customer: Reference
    reward: Reward
    balance: int


def field(data: Data, name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise InvalidPayloadError(f"{name!r} is missing or of the wrong type")
    return value


def optional(data: Data, name: str, kind: type) -> Any:
    value = data.get(name)
    return None if value is None else field(data, name, kind)


def moment(data: Data, name: str) -> datetime:
    text = field(data, name, str)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidPayloadError(f"{name!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise InvalidPayloadError(f"{name!r} has no time zone")
    return parsed.astimezone(UTC)


def optional_moment(data: Data, name: str) -> datetime | None:
    return None if data.get(name) is None else moment(data, name)


def reference(data: Data, name: str) -> Reference:
    item = field(data, name, dict)
    return Reference(id=field(item, "id", str), name=field(item, "name", str))


def appointment(data: Data) -> Appointment:
    return Appointment(
        id=field(data, "id", str),
        customer=reference(data, "customer"),
        service=reference(data, "service"),
        professional=None
        if data.get("professional") is None
        else reference(data, "professional"),
        start_time=moment(data, "start_time"),
        end_time=moment(data, "end_time"),
        status=field(data, "status", str),
        notes=optional(data, "notes", str),
        created_at=moment(data, "created_at"),
        updated_at=moment(data, "updated_at"),
        cancelled_at=optional_moment(data, "cancelled_at"),
        cancellation_reason=optional(data, "cancellation_reason", str),
    )


def customer(data: Data) -> Customer:
    return Customer(
        id=field(data, "id", str),
        name=field(data, "name", str),
        email=optional(data, "email", str),
        phone=optional(data, "phone", str),
        created_at=moment(data, "created_at"),
        updated_at=moment(data, "updated_at"),
    )


def review(data: Data) -> Review:
    response = data.get("response")
    return Review(
        id=field(data, "id", str),
        rating=field(data, "rating", int),
        comment=optional(data, "comment", str),
        customer=reference(data, "customer"),
        appointment_id=field(data, "appointment_id", str),
        created_at=moment(data, "created_at"),
        response=None
        if response is None
        else ReviewResponse(
            text=field(field(data, "response", dict), "text", str),
            created_at=moment(response, "created_at"),
        ),
    )


def previous(data: Data) -> Data:
    value: Data = field(data, "previous_attributes", dict)
    return value


BUILDERS: dict[str, Callable[[Event], Event]] = {
    "appointment.create": lambda event: AppointmentCreated(
        *base(event), appointment=appointment(event.data)
    ),
    "appointment.update": lambda event: AppointmentUpdated(
        *base(event),
        appointment=appointment(event.data),
        previous_attributes=previous(event.data),
    ),
    "appointment.cancel": lambda event: AppointmentCancelled(
        *base(event), appointment=appointment(event.data)
    ),
    "appointment.reminder": lambda event: AppointmentReminder(
        *base(event),
        appointment=appointment(event.data),
        lead_time_minutes=field(
            field(event.data, "reminder", dict), "lead_time_minutes", int
        ),
    ),
    "customer.create": lambda event: CustomerCreated(
        *base(event), customer=customer(event.data)
    ),
    "customer.update": lambda event: CustomerUpdated(
        *base(event),
        customer=customer(event.data),
        previous_attributes=previous(event.data),
    ),
    "review.create": lambda event: ReviewCreated(
        *base(event), review=review(event.data)
    ),
    "review.response": lambda event: ReviewResponded(
        *base(event), review=review(event.data)
    ),
    "loyalty.points_earned": lambda event: PointsEarned(
        *base(event),
        customer=reference(event.data, "customer"),
        points=field(event.data, "points", int),
        balance=field(event.data, "balance", int),
        reason=field(event.data, "reason", str),
        appointment_id=optional(event.data, "appointment_id", str),
    ),
    "loyalty.reward_redeemed": lambda event: RewardRedeemed(
        *base(event),
        redemption_id=field(event.data, "id", str),
        customer=reference(event.data, "customer"),
        reward=Reward(
            id=field(field(event.data, "reward", dict), "id", str),
            name=field(field(event.data, "reward", dict), "name", str),
            points_cost=field(field(event.data, "reward", dict), "points_cost", int),
        ),
        balance=field(event.data, "balance", int),
    ),
}


def base(event: Event) -> tuple[str, str, datetime, Data]:
    return event.id, event.type, event.created_at, event.data


def parse_event(envelope: object) -> Event:
    """The typed event for an envelope ``{"id", "type", "created_at", "data"}``."""
    if not isinstance(envelope, dict):
        raise InvalidPayloadError("the body is not a JSON object")
    event = Event(
        id=field(envelope, "id", str),
        type=field(envelope, "type", str),
        created_at=moment(envelope, "created_at"),
        data=field(envelope, "data", dict),
    )
    builder = BUILDERS.get(event.type)
    return event if builder is None else builder(event)
