"""Typed events: every documented type, unknown types, extra and malformed fields."""

import copy
import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from gestly_sdk import (
    AppointmentCancelled,
    AppointmentCreated,
    AppointmentReminder,
    AppointmentUpdated,
    CustomerCreated,
    CustomerUpdated,
    Event,
    InvalidPayloadError,
    PointsEarned,
    Reference,
    ReviewCreated,
    ReviewResponded,
    RewardRedeemed,
    Webhook,
    parse_event,
)
from sdk_support import EVENT_ID, PAYLOADS, SECRET, envelope, signed_now

TYPED = {
    "appointment.create": AppointmentCreated,
    "appointment.update": AppointmentUpdated,
    "appointment.cancel": AppointmentCancelled,
    "appointment.reminder": AppointmentReminder,
    "customer.create": CustomerCreated,
    "customer.update": CustomerUpdated,
    "review.create": ReviewCreated,
    "review.response": ReviewResponded,
    "loyalty.points_earned": PointsEarned,
    "loyalty.reward_redeemed": RewardRedeemed,
}


def verified(event_type: str, data: dict[str, Any] | None = None) -> Event:
    body = envelope(event_type, data)
    return Webhook(SECRET).verify(body, signed_now(body))


def decoded(event_type: str) -> dict[str, Any]:
    envelope_json: dict[str, Any] = json.loads(envelope(event_type))
    return envelope_json


@pytest.mark.parametrize(("event_type", "kind"), TYPED.items())
def test_each_documented_type_becomes_its_own_class(
    event_type: str, kind: type[Event]
) -> None:
    event = verified(event_type)

    assert type(event) is kind
    assert event.id == EVENT_ID
    assert event.type == event_type
    assert event.data == PAYLOADS[event_type]


@pytest.mark.parametrize("event_type", TYPED)
def test_every_time_in_a_typed_event_is_aware_utc(event_type: str) -> None:
    def times(value: object) -> list[datetime]:
        if isinstance(value, datetime):
            return [value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            found: list[datetime] = []
            for field in dataclasses.fields(value):
                found.extend(times(getattr(value, field.name)))
            return found
        return []

    moments = times(verified(event_type))

    assert moments
    assert all(moment.tzinfo is UTC for moment in moments)


def test_appointment_fields_are_typed_and_nested() -> None:
    event = verified("appointment.reminder")

    assert isinstance(event, AppointmentReminder)
    assert event.appointment.customer == Reference("cus_01", "João Silva")
    assert event.appointment.professional == Reference("stf_01", "Marta")
    assert event.appointment.start_time == datetime(2026, 1, 2, 14, tzinfo=UTC)
    assert event.appointment.cancelled_at is None
    assert event.reminder.lead_time_minutes == 1440


def test_update_carries_the_previous_values() -> None:
    event = verified("appointment.update")

    assert isinstance(event, AppointmentUpdated)
    assert event.appointment.status == "confirmed"
    assert event.previous_attributes == {"status": "scheduled"}


def test_cancellation_carries_when_and_why() -> None:
    event = verified("appointment.cancel")

    assert isinstance(event, AppointmentCancelled)
    assert event.appointment.cancelled_at == datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert event.appointment.cancellation_reason == "Cliente desmarcou"


def test_appointment_without_a_professional_has_none() -> None:
    data = {**PAYLOADS["appointment.create"], "professional": None}

    event = verified("appointment.create", data)

    assert isinstance(event, AppointmentCreated)
    assert event.appointment.professional is None


def test_review_response_is_typed_and_never_none_on_its_event() -> None:
    event = verified("review.response")

    assert isinstance(event, ReviewResponded)
    assert event.response.text == "Obrigado!"
    assert event.review.response == event.response


def test_review_response_event_without_a_response_is_refused() -> None:
    data = {**PAYLOADS["review.response"], "response": None}

    with pytest.raises(InvalidPayloadError, match="response"):
        verified("review.response", data)


def test_loyalty_events_carry_their_payloads() -> None:
    earned = verified("loyalty.points_earned")
    redeemed = verified("loyalty.reward_redeemed")

    assert isinstance(earned, PointsEarned)
    assert (earned.credit.points, earned.credit.balance) == (10, 130)
    assert earned.credit.reason == "appointment_completed"
    assert isinstance(redeemed, RewardRedeemed)
    assert redeemed.redemption.id == "red_01"
    assert redeemed.redemption.reward.points_cost == 100


def test_extra_fields_anywhere_are_ignored() -> None:
    data = copy.deepcopy(PAYLOADS["appointment.create"])
    data["colour"] = "blue"
    data["customer"]["loyalty_tier"] = "gold"

    event = verified("appointment.create", data)

    assert isinstance(event, AppointmentCreated)
    assert event.data["colour"] == "blue"


def test_unknown_type_keeps_its_raw_data() -> None:
    envelope_json = {
        "id": EVENT_ID,
        "type": "payment.refund",
        "created_at": "2026-01-01T10:00:00-03:00",
        "data": {"amount_cents": 500, "nested": {"a": [1, 2]}},
    }

    event = parse_event(envelope_json)

    assert type(event) is Event
    assert event.data == {"amount_cents": 500, "nested": {"a": [1, 2]}}
    assert event.created_at == datetime(2026, 1, 1, 13, tzinfo=UTC)


def test_events_are_frozen() -> None:
    event = verified("customer.create")

    with pytest.raises(dataclasses.FrozenInstanceError):
        event.id = "evt_other"  # type: ignore[misc]


def with_change(event_type: str, path: list[str], value: Any) -> dict[str, Any]:
    changed = decoded(event_type)
    target = changed
    for name in path[:-1]:
        target = target[name]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


MALFORMED = [
    ("no id", with_change("customer.create", ["id"], KeyError)),
    ("type a number", with_change("customer.create", ["type"], 5)),
    ("data a list", with_change("customer.create", ["data"], [])),
    ("naive time", with_change("customer.create", ["created_at"], "2026-01-01T10:00")),
    ("time not a time", with_change("customer.create", ["created_at"], "tomorrow")),
    (
        "time out of range in UTC",
        with_change("customer.create", ["created_at"], "0001-01-01T00:00:00+01:00"),
    ),
    (
        "customer name missing",
        with_change("appointment.create", ["data", "customer", "name"], KeyError),
    ),
    (
        "rating a boolean",
        with_change("review.create", ["data", "rating"], True),
    ),
    ("points as text", with_change("loyalty.points_earned", ["data", "points"], "10")),
    (
        "reward a string",
        with_change("loyalty.reward_redeemed", ["data", "reward"], "rwd_01"),
    ),
    (
        "reminder missing",
        with_change("appointment.reminder", ["data", "reminder"], KeyError),
    ),
    (
        "previous attributes missing",
        with_change("customer.update", ["data", "previous_attributes"], KeyError),
    ),
]


@pytest.mark.parametrize(
    "envelope_json",
    [envelope_json for _, envelope_json in MALFORMED],
    ids=[name for name, _ in MALFORMED],
)
def test_malformed_envelope_raises_invalid_payload(
    envelope_json: dict[str, Any],
) -> None:
    with pytest.raises(InvalidPayloadError):
        parse_event(envelope_json)


def test_invalid_payload_message_names_the_field() -> None:
    broken = with_change("appointment.create", ["data", "service", "id"], 7)

    with pytest.raises(InvalidPayloadError, match=r"data\.service\.id"):
        parse_event(broken)
