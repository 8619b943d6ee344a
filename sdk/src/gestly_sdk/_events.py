"""Typed events, built from a verified envelope.

Each documented type becomes its own frozen dataclass whose payload is typed (times as
aware UTC datetimes). An unknown type becomes a plain ``Event`` with its raw ``data``,
so a type added to Gestly later never breaks a receiver written today; fields added
later are ignored (and stay readable in ``event.data``).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from gestly_sdk._errors import InvalidPayloadError

JsonObject = dict[str, Any]
Kind = TypeVar("Kind")

# The statuses an appointment can have today; kept as text so a status added later
# reaches old receivers instead of failing their verification.
APPOINTMENT_STATUSES: Final = frozenset(
    {"scheduled", "confirmed", "completed", "no_show", "cancelled"}
)


@dataclass(frozen=True, slots=True)
class Event:
    """Any event. ``data`` is the payload exactly as sent, whatever the type."""

    id: str
    type: str
    created_at: datetime
    data: JsonObject


@dataclass(frozen=True, slots=True)
class Reference:
    """Another object as a payload names it: its id and display name."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Appointment:
    """``status`` is one of ``APPOINTMENT_STATUSES``; ``professional`` is None when
    the business has not assigned one."""

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
class Reminder:
    lead_time_minutes: int


@dataclass(frozen=True, slots=True)
class Customer:
    """``phone`` is E.164 (``+5511987654321``) when present."""

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
    """``rating`` is 1 to 5; ``response`` is None until the business answers."""

    id: str
    rating: int
    comment: str | None
    customer: Reference
    appointment_id: str
    created_at: datetime
    response: ReviewResponse | None


@dataclass(frozen=True, slots=True)
class PointsCredit:
    """Points credited to a customer; ``balance`` is the total after the credit."""

    customer: Reference
    points: int
    balance: int
    reason: str
    appointment_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Reward:
    id: str
    name: str
    points_cost: int


@dataclass(frozen=True, slots=True)
class Redemption:
    """A reward redeemed; ``balance`` is the customer's points after paying for it."""

    id: str
    customer: Reference
    reward: Reward
    balance: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AppointmentCreated(Event):
    appointment: Appointment


@dataclass(frozen=True, slots=True)
class AppointmentUpdated(Event):
    """``previous_attributes`` holds the old values of the changed fields only, as
    raw JSON (times as text)."""

    appointment: Appointment
    previous_attributes: JsonObject


@dataclass(frozen=True, slots=True)
class AppointmentCancelled(Event):
    appointment: Appointment


@dataclass(frozen=True, slots=True)
class AppointmentReminder(Event):
    appointment: Appointment
    reminder: Reminder


@dataclass(frozen=True, slots=True)
class CustomerCreated(Event):
    customer: Customer


@dataclass(frozen=True, slots=True)
class CustomerUpdated(Event):
    """``previous_attributes`` holds the old values of the changed fields only."""

    customer: Customer
    previous_attributes: JsonObject


@dataclass(frozen=True, slots=True)
class ReviewCreated(Event):
    review: Review


@dataclass(frozen=True, slots=True)
class ReviewResponded(Event):
    """``review.response`` is never None on this event; ``response`` says so to the
    type checker."""

    review: Review
    response: ReviewResponse


@dataclass(frozen=True, slots=True)
class PointsEarned(Event):
    credit: PointsCredit


@dataclass(frozen=True, slots=True)
class RewardRedeemed(Event):
    redemption: Redemption


class Fields:
    """Typed reads from one JSON object; errors name the field's full path."""

    def __init__(self, values: object, path: str) -> None:
        if not isinstance(values, dict):
            raise InvalidPayloadError(f"{path} is not a JSON object")
        self.values: JsonObject = values
        self.path = path

    def read(self, name: str, kind: type[Kind]) -> Kind:
        value = self.values.get(name)
        # bool is an int to Python, never to JSON Schema.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise InvalidPayloadError(
                f"{self.path}.{name} should be {kind.__name__}, got "
                f"{type(value).__name__}"
            )
        return value

    def read_optional(self, name: str, kind: type[Kind]) -> Kind | None:
        return None if self.values.get(name) is None else self.read(name, kind)

    def text(self, name: str) -> str:
        return self.read(name, str)

    def optional_text(self, name: str) -> str | None:
        return self.read_optional(name, str)

    def integer(self, name: str) -> int:
        return self.read(name, int)

    def moment(self, name: str) -> datetime:
        text = self.text(name)
        try:
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is None:
                raise InvalidPayloadError(f"{self.path}.{name} {text!r} has no offset")
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            # OverflowError: a valid time whose UTC form falls outside year 1 to 9999.
            raise InvalidPayloadError(
                f"{self.path}.{name} {text!r} is not an ISO 8601 time in UTC range"
            ) from None

    def optional_moment(self, name: str) -> datetime | None:
        return None if self.values.get(name) is None else self.moment(name)

    def nested(self, name: str) -> "Fields":
        return Fields(self.values.get(name), f"{self.path}.{name}")

    def reference(self, name: str) -> Reference:
        item = self.nested(name)
        return Reference(id=item.text("id"), name=item.text("name"))

    def optional_reference(self, name: str) -> Reference | None:
        return None if self.values.get(name) is None else self.reference(name)


def read_appointment(data: Fields) -> Appointment:
    return Appointment(
        id=data.text("id"),
        customer=data.reference("customer"),
        service=data.reference("service"),
        professional=data.optional_reference("professional"),
        start_time=data.moment("start_time"),
        end_time=data.moment("end_time"),
        status=data.text("status"),
        notes=data.optional_text("notes"),
        created_at=data.moment("created_at"),
        updated_at=data.moment("updated_at"),
        cancelled_at=data.optional_moment("cancelled_at"),
        cancellation_reason=data.optional_text("cancellation_reason"),
    )


def read_customer(data: Fields) -> Customer:
    return Customer(
        id=data.text("id"),
        name=data.text("name"),
        email=data.optional_text("email"),
        phone=data.optional_text("phone"),
        created_at=data.moment("created_at"),
        updated_at=data.moment("updated_at"),
    )


def read_review_response(data: Fields) -> ReviewResponse:
    return ReviewResponse(text=data.text("text"), created_at=data.moment("created_at"))


def read_review(data: Fields) -> Review:
    return Review(
        id=data.text("id"),
        rating=data.integer("rating"),
        comment=data.optional_text("comment"),
        customer=data.reference("customer"),
        appointment_id=data.text("appointment_id"),
        created_at=data.moment("created_at"),
        response=None
        if data.values.get("response") is None
        else read_review_response(data.nested("response")),
    )


def read_points_credit(data: Fields) -> PointsCredit:
    return PointsCredit(
        customer=data.reference("customer"),
        points=data.integer("points"),
        balance=data.integer("balance"),
        reason=data.text("reason"),
        appointment_id=data.optional_text("appointment_id"),
        created_at=data.moment("created_at"),
    )


def read_redemption(data: Fields) -> Redemption:
    reward = data.nested("reward")
    return Redemption(
        id=data.text("id"),
        customer=data.reference("customer"),
        reward=Reward(
            id=reward.text("id"),
            name=reward.text("name"),
            points_cost=reward.integer("points_cost"),
        ),
        balance=data.integer("balance"),
        created_at=data.moment("created_at"),
    )


def build_appointment_created(event: Event, data: Fields) -> Event:
    return AppointmentCreated(*fields_of(event), appointment=read_appointment(data))


def build_appointment_updated(event: Event, data: Fields) -> Event:
    return AppointmentUpdated(
        *fields_of(event),
        appointment=read_appointment(data),
        previous_attributes=data.read("previous_attributes", dict),
    )


def build_appointment_cancelled(event: Event, data: Fields) -> Event:
    return AppointmentCancelled(*fields_of(event), appointment=read_appointment(data))


def build_appointment_reminder(event: Event, data: Fields) -> Event:
    return AppointmentReminder(
        *fields_of(event),
        appointment=read_appointment(data),
        reminder=Reminder(
            lead_time_minutes=data.nested("reminder").integer("lead_time_minutes")
        ),
    )


def build_customer_created(event: Event, data: Fields) -> Event:
    return CustomerCreated(*fields_of(event), customer=read_customer(data))


def build_customer_updated(event: Event, data: Fields) -> Event:
    return CustomerUpdated(
        *fields_of(event),
        customer=read_customer(data),
        previous_attributes=data.read("previous_attributes", dict),
    )


def build_review_created(event: Event, data: Fields) -> Event:
    return ReviewCreated(*fields_of(event), review=read_review(data))


def build_review_responded(event: Event, data: Fields) -> Event:
    review = read_review(data)
    if review.response is None:
        raise InvalidPayloadError("data.response is null on a review.response event")
    return ReviewResponded(*fields_of(event), review=review, response=review.response)


def build_points_earned(event: Event, data: Fields) -> Event:
    return PointsEarned(*fields_of(event), credit=read_points_credit(data))


def build_reward_redeemed(event: Event, data: Fields) -> Event:
    return RewardRedeemed(*fields_of(event), redemption=read_redemption(data))


BUILDERS: Final[Mapping[str, Callable[[Event, Fields], Event]]] = {
    "appointment.create": build_appointment_created,
    "appointment.update": build_appointment_updated,
    "appointment.cancel": build_appointment_cancelled,
    "appointment.reminder": build_appointment_reminder,
    "customer.create": build_customer_created,
    "customer.update": build_customer_updated,
    "review.create": build_review_created,
    "review.response": build_review_responded,
    "loyalty.points_earned": build_points_earned,
    "loyalty.reward_redeemed": build_reward_redeemed,
}


def fields_of(event: Event) -> tuple[str, str, datetime, JsonObject]:
    return event.id, event.type, event.created_at, event.data


def parse_event(envelope: object) -> Event:
    """The typed event for a decoded envelope ``{"id", "type", "created_at", "data"}``.

    It checks shapes, not signatures: call it only on JSON that ``Webhook.verify``
    accepted, or that the API returned. Raises ``InvalidPayloadError``.
    """
    fields = Fields(envelope, "the event")
    event = Event(
        id=fields.text("id"),
        type=fields.text("type"),
        created_at=fields.moment("created_at"),
        data=fields.read("data", dict),
    )

    builder = BUILDERS.get(event.type)
    if builder is None:
        return event
    return builder(event, Fields(event.data, "data"))
