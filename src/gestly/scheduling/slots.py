"""Free slots and booking checks, in the business's time zone (pure).

Opening and working hours are local wall times (``"09:00"``) per weekday; everything
else is aware UTC. Two choices around daylight-saving changes, both because a salon's
clock on the wall is what customers read:

- a local start time that does not exist (the hour skipped when clocks go forward) is
  never offered;
- a local start time that happens twice (the hour repeated when clocks go back) is
  offered once, at its first occurrence.

A service's duration is real elapsed time, so a slot that crosses a change ends at
the wall time the clock will actually show.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# {"0": [["09:00", "18:00"]], …}; weekday "0" is Monday.
WeeklyHours = dict[str, list[list[str]]]
Interval = tuple[datetime, datetime]


class Refusal(StrEnum):
    """Why a requested start cannot be booked, for a clear 409 or 422."""

    IN_THE_PAST = "in_the_past"
    NONEXISTENT_LOCAL_TIME = "nonexistent_local_time"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    PROFESSIONAL_DAY_OFF = "professional_day_off"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    SLOT_TAKEN = "slot_taken"


REFUSAL_MESSAGES = {
    Refusal.IN_THE_PAST: "the start time has already passed",
    Refusal.NONEXISTENT_LOCAL_TIME: (
        "that local time does not exist (clocks skip it for daylight saving)"
    ),
    Refusal.OUTSIDE_OPENING_HOURS: "the business is not open for the whole service",
    Refusal.PROFESSIONAL_DAY_OFF: "the professional is off that day",
    Refusal.OUTSIDE_WORKING_HOURS: (
        "the professional is not working for the whole service"
    ),
    Refusal.SLOT_TAKEN: "the professional has another appointment at that time",
}


@dataclass(frozen=True, slots=True)
class Agenda:
    """One professional as availability sees them."""

    professional_id: str
    working_hours: WeeklyHours
    days_off: frozenset[date] = frozenset()
    busy: tuple[Interval, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    professional_id: str


def local_moment(day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """``day`` at ``wall`` in ``zone`` as UTC (first occurrence); None if skipped."""
    moment = datetime.combine(day, wall, tzinfo=zone).replace(fold=0)
    utc = moment.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None
    return utc


def windows_on(day: date, hours: WeeklyHours, zone: ZoneInfo) -> list[Interval]:
    """The day's hours as UTC intervals. A bound inside a skipped hour moves to the
    instant the clocks jump."""
    windows = []
    for opening, closing in hours.get(str(day.weekday()), []):
        start = first_existing(day, time.fromisoformat(opening), zone)
        end = first_existing(day, time.fromisoformat(closing), zone)
        if start < end:
            windows.append((start, end))
    return windows


def first_existing(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``wall`` in UTC; for a wall time the clocks skip, the instant they
    jump (the first moment whose wall time is at least ``wall``)."""
    moment = local_moment(day, wall, zone)
    if moment is not None:
        return moment
    target = datetime.combine(day, wall)
    # The two readings of a skipped time bracket the jump; search the second.
    readings = [
        int(datetime.combine(day, wall, tzinfo=zone).replace(fold=fold).timestamp())
        for fold in (0, 1)
    ]
    low, high = min(readings), max(readings)
    while high - low > 1:
        middle = (low + high) // 2
        local = datetime.fromtimestamp(middle, UTC).astimezone(zone)
        if local.replace(tzinfo=None) >= target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def within(interval: Interval, windows: Iterable[Interval]) -> bool:
    start, end = interval
    return any(open_ <= start and end <= close for open_, close in windows)


def overlaps(interval: Interval, busy: Iterable[Interval]) -> bool:
    start, end = interval
    return any(
        other_start < end and start < other_end for other_start, other_end in busy
    )


def candidate_starts(
    day: date, hours: WeeklyHours, zone: ZoneInfo, interval_minutes: int
) -> Iterator[datetime]:
    """Starts stepping by the slot interval in wall time from each opening."""
    step = timedelta(minutes=interval_minutes)
    for opening, closing in hours.get(str(day.weekday()), []):
        wall = datetime.combine(day, time.fromisoformat(opening))
        last = datetime.combine(day, time.fromisoformat(closing))
        while wall < last:
            moment = local_moment(day, wall.time(), zone)
            if moment is not None:
                yield moment
            wall += step


def find_free_slots(
    *,
    day: date,
    zone: ZoneInfo,
    opening_hours: WeeklyHours,
    slot_interval_minutes: int,
    duration_minutes: int,
    agendas: Iterable[Agenda],
    now: datetime,
) -> list[Slot]:
    """Every free slot on local ``day``, sorted by start, then professional."""
    duration = timedelta(minutes=duration_minutes)
    opening = windows_on(day, opening_hours, zone)
    slots = []
    for agenda in agendas:
        if day in agenda.days_off:
            continue
        working = windows_on(day, agenda.working_hours, zone)
        for start in candidate_starts(day, opening_hours, zone, slot_interval_minutes):
            interval = (start, start + duration)
            if (
                start > now
                and within(interval, opening)
                and within(interval, working)
                and not overlaps(interval, agenda.busy)
            ):
                slots.append(Slot(start, start + duration, agenda.professional_id))
    return sorted(slots, key=lambda slot: (slot.start, slot.professional_id))


def check_booking(
    *,
    start: datetime,
    duration_minutes: int,
    zone: ZoneInfo,
    opening_hours: WeeklyHours,
    agenda: Agenda,
    now: datetime,
) -> Refusal | None:
    """Why ``start`` cannot be booked with this professional, or None if it can.

    A booking need not sit on the slot grid; it must fit the hours and be free.
    """
    interval = (start, start + timedelta(minutes=duration_minutes))
    day = start.astimezone(zone).date()
    if start <= now:
        return Refusal.IN_THE_PAST
    if not within(interval, windows_on(day, opening_hours, zone)):
        return Refusal.OUTSIDE_OPENING_HOURS
    if day in agenda.days_off:
        return Refusal.PROFESSIONAL_DAY_OFF
    if not within(interval, windows_on(day, agenda.working_hours, zone)):
        return Refusal.OUTSIDE_WORKING_HOURS
    if overlaps(interval, agenda.busy):
        return Refusal.SLOT_TAKEN
    return None


def day_bounds(day: date, zone: ZoneInfo) -> Interval:
    """The UTC instants where local ``day`` begins and the next day begins."""
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end
