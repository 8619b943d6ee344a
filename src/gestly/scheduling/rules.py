"""The scheduling core's small rules (pure): contacts, appointment statuses,
loyalty points and reminder times."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_PHONE_REGION: Final = "BR"

# scheduled → confirmed → completed or no_show; either of the first two may be
# cancelled, and a salon that does not confirm may complete a scheduled one directly.
TRANSITIONS: Final = {
    "scheduled": frozenset({"confirmed", "completed", "no_show", "cancelled"}),
    "confirmed": frozenset({"completed", "no_show", "cancelled"}),
    "completed": frozenset(),
    "no_show": frozenset(),
    "cancelled": frozenset(),
}
STATUSES: Final = tuple(TRANSITIONS)


class RuleError(ValueError):
    """Input that breaks a scheduling rule; the message names the value."""


def normalize_email(text: str) -> str:
    """A valid address with its domain lowercased; no DNS look-up."""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise RuleError(f"{text!r} is not a valid email address: {exc}") from None


def normalize_phone(text: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """The number in E.164 (``+5511987654321``); numbers without a country code
    are read as Brazilian."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise RuleError(f"{text!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise RuleError(
            f"{text!r} is not a valid phone number; include the area code, "
            "e.g. +55 11 98765-4321"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_transition(current: str, requested: str) -> None:
    if requested not in TRANSITIONS:
        raise RuleError(f"status {requested!r} is not one of {', '.join(STATUSES)}")
    if requested not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (it is final)"
        raise RuleError(
            f"an appointment that is {current} cannot become {requested}; "
            f"allowed: {allowed}"
        )


@dataclass(frozen=True, slots=True)
class LoyaltyRule:
    points_per_appointment: int
    points_per_100_cents: int

    def points_for(self, price_cents: int) -> int:
        """Points for one completed appointment; integer arithmetic only."""
        return self.points_per_appointment + price_cents // 100 * (
            self.points_per_100_cents
        )


def reminder_due_at(
    start_time: datetime, lead_minutes: int, now: datetime
) -> datetime | None:
    """When the reminder goes out: ``lead_minutes`` before the start.

    Booked inside the lead time, it goes out at once; for a start already passed,
    never.
    """
    if start_time <= now:
        return None
    return max(start_time - timedelta(minutes=lead_minutes), now)
