"""The scheduling core's rules through the API: refusals emit nothing, the last slot
goes to exactly one request, balances never go negative, reminders go out once."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from gestly.reminders import send_due_reminders
from gestly.storage.schema import appointments, events
from tests.e2e.test_scheduling_events import local_start, ok, set_up_salon
from tests.support.harness import Client, Gestly

pytestmark = pytest.mark.anyio


async def count(gestly: Gestly, table: Any, *conditions: Any) -> int:
    async with gestly.database.read() as connection:
        return int(
            await connection.scalar(
                select(func.count()).select_from(table).where(*conditions)
            )
        )


async def new_customer(client: Client, name: str = "Maria") -> dict[str, Any]:
    return await ok(await client.post("/v1/customers", json={"name": name}), 201)


async def book(
    client: Client, customer: dict[str, Any], service: dict[str, Any], start: str
) -> httpx.Response:
    return await client.post(
        "/v1/appointments",
        json={
            "customer_id": customer["id"],
            "service_id": service["id"],
            "start_time": start,
        },
    )


async def test_docs_availability_call_returns_free_slots(gestly: Gestly) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    day = (gestly.clock.now() + timedelta(days=3)).date().isoformat()

    response = await client.get(
        "/v1/availability", params={"date": day, "service_id": salon["service"]["id"]}
    )

    body = await ok(response)
    assert body["date"] == day
    assert body["service_id"] == salon["service"]["id"]
    assert len(body["slots"]) == 24
    assert set(body["slots"][0]) == {"start_time", "end_time", "professional_id"}
    await client.close()


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"start_time": "amanhã às 10"}, 400),
        ({"start_time": "2020-01-01T10:00:00Z"}, 422),
        ({"customer_id": "cus_missing"}, 422),
        ({"service_id": "srv_missing"}, 422),
        ({"professional_id": "stf_missing"}, 422),
        ({"notes": 42}, 422),
    ],
)
async def test_refused_booking_writes_and_emits_nothing(
    gestly: Gestly, change: dict[str, Any], status: int
) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customer = await new_customer(client)
    events_before = await count(gestly, events)
    body = {
        "customer_id": customer["id"],
        "service_id": salon["service"]["id"],
        "start_time": local_start(gestly.clock.now(), 2, 10),
        **change,
    }

    response = await client.post("/v1/appointments", json=body)

    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]
    assert await count(gestly, appointments) == 0
    assert await count(gestly, events) == events_before
    await client.close()


async def test_booking_outside_hours_is_refused_with_the_reason(gestly: Gestly) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customer = await new_customer(client)

    response = await book(
        client, customer, salon["service"], local_start(gestly.clock.now(), 2, 21)
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "start_time"
    assert "open" in response.json()["error"]["message"]
    await client.close()


async def test_two_requests_for_the_last_free_slot_exactly_one_wins(
    gestly: Gestly,
) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customers = [await new_customer(client, f"Cliente {index}") for index in range(6)]
    start = local_start(gestly.clock.now(), 2, 10)

    responses = await asyncio.gather(
        *(book(client, customer, salon["service"], start) for customer in customers)
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 409, 409, 409, 409, 409]
    assert await count(gestly, appointments) == 1
    assert await count(gestly, events, events.c.type == "appointment.create") == 1
    await client.close()


async def test_concurrent_redemptions_never_take_the_balance_below_zero(
    gestly: Gestly,
) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customer = await new_customer(client)
    booked = await ok(
        await book(
            client, customer, salon["service"], local_start(gestly.clock.now(), 1, 10)
        ),
        201,
    )
    gestly.clock.advance(timedelta(days=2))
    await ok(
        await client.patch(
            f"/v1/appointments/{booked['id']}", json={"status": "completed"}
        )
    )
    reward = await ok(
        await client.post("/v1/rewards", json={"name": "Brinde", "points_cost": 25}),
        201,
    )

    responses = await asyncio.gather(
        *(
            client.post(
                f"/v1/customers/{customer['id']}/redemptions",
                json={"reward_id": reward["id"]},
            )
            for _ in range(5)
        )
    )
    loyalty = await ok(await client.get(f"/v1/customers/{customer['id']}/loyalty"))

    assert sorted(response.status_code for response in responses) == [
        201,
        201,
        409,
        409,
        409,
    ]
    assert loyalty["balance"] == 10
    assert [entry["points"] for entry in loyalty["ledger"]["data"]] == [-25, -25, 60]
    await client.close()


async def test_reminder_is_re_armed_on_reschedule_and_sent_once_even_late(
    gestly: Gestly,
) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customer = await new_customer(client)
    booked = await ok(
        await book(
            client, customer, salon["service"], local_start(gestly.clock.now(), 2, 10)
        ),
        201,
    )
    await ok(
        await client.patch(
            f"/v1/appointments/{booked['id']}",
            json={"start_time": local_start(gestly.clock.now(), 3, 10)},
        )
    )

    gestly.clock.set(parse(local_start(gestly.clock.now(), 2, 10)))
    early = await send_due_reminders(gestly.database, gestly.clock)
    gestly.clock.set(
        parse(local_start(gestly.clock.now(), 1, 9)) + timedelta(minutes=30)
    )
    late = await asyncio.gather(
        send_due_reminders(gestly.database, gestly.clock),
        send_due_reminders(gestly.database, gestly.clock),
    )
    again = await send_due_reminders(gestly.database, gestly.clock)

    assert early == 0
    assert sorted(late) == [0, 1]
    assert again == 0
    assert await count(gestly, events, events.c.type == "appointment.reminder") == 1
    await client.close()


async def test_cancelled_appointment_gets_no_reminder(gestly: Gestly) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customer = await new_customer(client)
    booked = await ok(
        await book(
            client, customer, salon["service"], local_start(gestly.clock.now(), 2, 10)
        ),
        201,
    )
    await ok(await client.post(f"/v1/appointments/{booked['id']}/cancel", json={}))

    gestly.clock.advance(timedelta(days=3))
    sent = await send_due_reminders(gestly.database, gestly.clock)

    assert sent == 0
    assert await count(gestly, events, events.c.type == "appointment.reminder") == 0
    await client.close()


@pytest.mark.parametrize(
    ("current", "requested"),
    [("scheduled", "scheduled"), ("completed", "confirmed"), ("scheduled", "late")],
)
async def test_status_change_outside_the_allowed_path_is_refused(
    gestly: Gestly, current: str, requested: str
) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customer = await new_customer(client)
    booked = await ok(
        await book(
            client, customer, salon["service"], local_start(gestly.clock.now(), 1, 10)
        ),
        201,
    )
    if current == "completed":
        await ok(
            await client.patch(
                f"/v1/appointments/{booked['id']}", json={"status": "completed"}
            )
        )
    events_before = await count(gestly, events)

    response = await client.patch(
        f"/v1/appointments/{booked['id']}", json={"status": requested}
    )

    if requested == current:
        assert response.status_code == 200
    else:
        assert response.status_code == 409, response.text
    assert await count(gestly, events) == events_before
    await client.close()


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


async def test_reminder_missed_until_after_the_start_is_dropped(gestly: Gestly) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customer = await new_customer(client)
    start = local_start(gestly.clock.now(), 2, 10)
    await ok(await book(client, customer, salon["service"], start), 201)

    gestly.clock.set(parse(start) + timedelta(minutes=5))
    sent = await send_due_reminders(gestly.database, gestly.clock)

    assert sent == 0
    assert await count(gestly, events, events.c.type == "appointment.reminder") == 0
    await client.close()
