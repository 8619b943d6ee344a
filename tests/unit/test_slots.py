"""Free slots and booking checks, including daylight-saving transition days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gestly.scheduling.slots import (
    Agenda,
    Refusal,
    Slot,
    check_booking,
    find_free_slots,
)

NEW_YORK = ZoneInfo("America/New_York")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def hours(open_: str, close: str) -> dict[str, list[list[str]]]:
    return {str(day): [[open_, close]] for day in range(7)}


def local_starts(slots: list[Slot], zone: ZoneInfo) -> list[str]:
    return [slot.start.astimezone(zone).strftime("%H:%M") for slot in slots]


def test_spring_forward_gap_is_never_offered_and_durations_are_real_time() -> None:
    # 2026-03-08 in New York: 02:00 jumps to 03:00.
    agenda = Agenda("stf_1", hours("00:00", "06:00"))

    slots = find_free_slots(
        day=date(2026, 3, 8),
        zone=NEW_YORK,
        opening_hours=hours("01:00", "04:00"),
        slot_interval_minutes=30,
        duration_minutes=60,
        agendas=[agenda],
        now=LONG_AGO,
    )

    assert local_starts(slots, NEW_YORK) == ["01:00", "01:30", "03:00"]
    assert slots[0].end.astimezone(NEW_YORK).strftime("%H:%M") == "03:00"


def test_fall_back_repeated_hour_is_offered_once() -> None:
    # 2026-11-01 in New York: 02:00 goes back to 01:00.
    agenda = Agenda("stf_1", hours("00:00", "06:00"))

    slots = find_free_slots(
        day=date(2026, 11, 1),
        zone=NEW_YORK,
        opening_hours=hours("00:30", "03:00"),
        slot_interval_minutes=30,
        duration_minutes=30,
        agendas=[agenda],
        now=LONG_AGO,
    )

    starts = local_starts(slots, NEW_YORK)
    assert starts == ["00:30", "01:00", "01:30", "02:00", "02:30"]
    assert len({slot.start for slot in slots}) == len(slots)


def test_sao_paulo_midnight_gap_of_2018_moves_opening_to_one_o_clock() -> None:
    # 2018-11-04 in São Paulo: 00:00 jumped to 01:00.
    agenda = Agenda("stf_1", hours("00:00", "23:00"))

    slots = find_free_slots(
        day=date(2018, 11, 4),
        zone=SAO_PAULO,
        opening_hours=hours("00:00", "02:00"),
        slot_interval_minutes=30,
        duration_minutes=30,
        agendas=[agenda],
        now=LONG_AGO,
    )

    assert local_starts(slots, SAO_PAULO) == ["01:00", "01:30"]


def test_slots_around_an_existing_appointment_are_left_out() -> None:
    day = date(2026, 6, 10)
    busy_start = datetime(2026, 6, 10, 10, 0, tzinfo=SAO_PAULO).astimezone(UTC)
    agenda = Agenda(
        "stf_1",
        hours("09:00", "12:00"),
        busy=((busy_start, busy_start + timedelta(minutes=60)),),
    )

    slots = find_free_slots(
        day=day,
        zone=SAO_PAULO,
        opening_hours=hours("09:00", "12:00"),
        slot_interval_minutes=30,
        duration_minutes=60,
        agendas=[agenda],
        now=LONG_AGO,
    )

    assert local_starts(slots, SAO_PAULO) == ["09:00", "11:00"]


def test_service_longer_than_the_remaining_hours_gets_no_late_slot() -> None:
    agenda = Agenda("stf_1", hours("09:00", "18:00"))

    slots = find_free_slots(
        day=date(2026, 6, 10),
        zone=SAO_PAULO,
        opening_hours=hours("09:00", "12:00"),
        slot_interval_minutes=30,
        duration_minutes=150,
        agendas=[agenda],
        now=LONG_AGO,
    )

    assert local_starts(slots, SAO_PAULO) == ["09:00", "09:30"]


def test_past_slots_are_not_offered() -> None:
    now = datetime(2026, 6, 10, 10, 15, tzinfo=SAO_PAULO).astimezone(UTC)

    slots = find_free_slots(
        day=date(2026, 6, 10),
        zone=SAO_PAULO,
        opening_hours=hours("09:00", "12:00"),
        slot_interval_minutes=30,
        duration_minutes=30,
        agendas=[Agenda("stf_1", hours("09:00", "12:00"))],
        now=now,
    )

    assert local_starts(slots, SAO_PAULO) == ["10:30", "11:00", "11:30"]


def test_day_off_and_closed_weekday_give_no_slots() -> None:
    wednesday = date(2026, 6, 10)
    closed_wednesday = {"0": [["09:00", "12:00"]]}

    off = find_free_slots(
        day=wednesday,
        zone=SAO_PAULO,
        opening_hours=hours("09:00", "12:00"),
        slot_interval_minutes=30,
        duration_minutes=30,
        agendas=[Agenda("stf_1", hours("09:00", "12:00"), frozenset({wednesday}))],
        now=LONG_AGO,
    )
    closed = find_free_slots(
        day=wednesday,
        zone=SAO_PAULO,
        opening_hours=closed_wednesday,
        slot_interval_minutes=30,
        duration_minutes=30,
        agendas=[Agenda("stf_1", hours("09:00", "12:00"))],
        now=LONG_AGO,
    )

    assert off == []
    assert closed == []


def test_several_professionals_are_sorted_by_time_then_professional() -> None:
    slots = find_free_slots(
        day=date(2026, 6, 10),
        zone=SAO_PAULO,
        opening_hours=hours("09:00", "10:00"),
        slot_interval_minutes=30,
        duration_minutes=30,
        agendas=[
            Agenda("stf_b", hours("09:00", "10:00")),
            Agenda("stf_a", hours("09:30", "10:00")),
        ],
        now=LONG_AGO,
    )

    assert [
        (local, slot.professional_id)
        for local, slot in zip(local_starts(slots, SAO_PAULO), slots, strict=True)
    ] == [("09:00", "stf_b"), ("09:30", "stf_a"), ("09:30", "stf_b")]


@pytest.mark.parametrize(
    ("local_start", "duration", "expected"),
    [
        ("10:00", 30, None),
        ("10:10", 30, None),
        ("08:30", 30, Refusal.OUTSIDE_OPENING_HOURS),
        ("11:45", 30, Refusal.OUTSIDE_OPENING_HOURS),
        ("11:00", 30, Refusal.SLOT_TAKEN),
        ("10:45", 30, Refusal.SLOT_TAKEN),
    ],
)
def test_check_booking_names_the_reason(
    local_start: str, duration: int, expected: Refusal | None
) -> None:
    busy_start = datetime(2026, 6, 10, 11, 0, tzinfo=SAO_PAULO).astimezone(UTC)
    agenda = Agenda(
        "stf_1",
        hours("09:00", "12:00"),
        busy=((busy_start, busy_start + timedelta(minutes=30)),),
    )
    hour, minute = map(int, local_start.split(":"))
    start = datetime(2026, 6, 10, hour, minute, tzinfo=SAO_PAULO).astimezone(UTC)

    refusal = check_booking(
        start=start,
        duration_minutes=duration,
        zone=SAO_PAULO,
        opening_hours=hours("09:00", "12:00"),
        agenda=agenda,
        now=LONG_AGO,
    )

    assert refusal is expected


def test_check_booking_refuses_the_past_and_a_day_off() -> None:
    start = datetime(2026, 6, 10, 10, 0, tzinfo=SAO_PAULO).astimezone(UTC)
    agenda = Agenda("stf_1", hours("09:00", "12:00"), frozenset({date(2026, 6, 10)}))

    past = check_booking(
        start=start,
        duration_minutes=30,
        zone=SAO_PAULO,
        opening_hours=hours("09:00", "12:00"),
        agenda=Agenda("stf_1", hours("09:00", "12:00")),
        now=start + timedelta(minutes=1),
    )
    day_off = check_booking(
        start=start,
        duration_minutes=30,
        zone=SAO_PAULO,
        opening_hours=hours("09:00", "12:00"),
        agenda=agenda,
        now=LONG_AGO,
    )

    assert past is Refusal.IN_THE_PAST
    assert day_off is Refusal.PROFESSIONAL_DAY_OFF


def test_opening_inside_the_spring_gap_starts_when_the_clocks_jump() -> None:
    # 2026-03-08 in New York: 02:30 does not exist; the day opens at 03:00 EDT.
    agenda = Agenda("stf_1", hours("00:00", "06:00"))

    slots = find_free_slots(
        day=date(2026, 3, 8),
        zone=NEW_YORK,
        opening_hours=hours("02:30", "04:00"),
        slot_interval_minutes=30,
        duration_minutes=30,
        agendas=[agenda],
        now=LONG_AGO,
    )
    refusal = check_booking(
        start=datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        duration_minutes=30,
        zone=NEW_YORK,
        opening_hours=hours("02:30", "04:00"),
        agenda=agenda,
        now=LONG_AGO,
    )

    assert local_starts(slots, NEW_YORK) == ["03:00", "03:30"]
    assert refusal is None


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
        (SAO_PAULO, date(2018, 11, 4)),
        (SAO_PAULO, date(2019, 2, 16)),
        (ZoneInfo("Europe/Lisbon"), date(2026, 3, 29)),
        (ZoneInfo("Europe/Lisbon"), date(2026, 10, 25)),
    ],
)
def test_every_offered_slot_on_a_clock_change_day_can_be_booked(
    zone: ZoneInfo, day: date
) -> None:
    agenda = Agenda("stf_1", hours("00:00", "23:30"))

    slots = find_free_slots(
        day=day,
        zone=zone,
        opening_hours=hours("00:00", "23:30"),
        slot_interval_minutes=30,
        duration_minutes=45,
        agendas=[agenda],
        now=LONG_AGO,
    )

    assert slots
    for slot in slots:
        assert (
            check_booking(
                start=slot.start,
                duration_minutes=45,
                zone=zone,
                opening_hours=hours("00:00", "23:30"),
                agenda=agenda,
                now=LONG_AGO,
            )
            is None
        ), slot
