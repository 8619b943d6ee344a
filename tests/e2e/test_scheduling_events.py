"""Every documented event type, caused through the public API only, reaches a real
receiver signed and shaped as the catalog's JSON Schema says."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from standardwebhooks import Webhook

from gestly.reminders import send_due_reminders
from gestly.webhooks.catalog import EVENT_TYPES
from tests.support.harness import Client, Gestly
from tests.support.receivers import PythonReceiver

pytestmark = pytest.mark.anyio

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
EVERY_DAY = {str(day): [["08:00", "20:00"]] for day in range(7)}


def signature_matches(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Check ``webhook-signature`` at the (hand-moved) time the attempt was made."""
    sent_at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    expected = Webhook(secret).sign(headers["webhook-id"], sent_at, body.decode())
    return expected in headers["webhook-signature"].split(" ")


async def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def set_up_salon(client: Client) -> dict[str, Any]:
    """Settings, a service and a professional: what booking needs."""
    await ok(
        await client.patch(
            "/v1/business_settings",
            json={"opening_hours": EVERY_DAY, "reminder_lead_minutes": 60},
        )
    )
    service = await ok(
        await client.post(
            "/v1/services",
            json={"name": "Corte", "duration_minutes": 30, "price_cents": 5000},
        ),
        201,
    )
    professional = await ok(
        await client.post(
            "/v1/professionals",
            json={"name": "Ana Souza", "service_ids": [service["id"]]},
        ),
        201,
    )
    return {"service": service, "professional": professional}


def local_start(clock_now: datetime, days_ahead: int, hour: int) -> str:
    day = clock_now.astimezone(SAO_PAULO).date() + timedelta(days=days_ahead)
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=SAO_PAULO)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_every_event_type_reaches_the_receiver_valid_and_signed(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    salon = await set_up_salon(client)

    customer = await ok(
        await client.post(
            "/v1/customers",
            json={
                "name": "João Silva",
                "email": "Joao@Example.COM",
                "phone": "11 98765-4321",
            },
        ),
        201,
    )
    await ok(
        await client.patch(
            f"/v1/customers/{customer['id']}", json={"name": "João S. 😀"}
        )
    )
    booked = await ok(
        await client.post(
            "/v1/appointments",
            json={
                "customer_id": customer["id"],
                "service_id": salon["service"]["id"],
                "start_time": local_start(gestly.clock.now(), 2, 10),
                "notes": "Prefere máquina 2",
            },
        ),
        201,
    )
    await ok(
        await client.patch(
            f"/v1/appointments/{booked['id']}",
            json={"start_time": local_start(gestly.clock.now(), 2, 11)},
        )
    )
    gestly.clock.set(
        datetime.fromisoformat(local_start(gestly.clock.now(), 2, 10))
        + timedelta(minutes=1)
    )
    assert await send_due_reminders(gestly.database, gestly.clock) == 1
    gestly.clock.advance(timedelta(hours=2))
    await ok(
        await client.patch(
            f"/v1/appointments/{booked['id']}", json={"status": "completed"}
        )
    )
    review = await ok(
        await client.post(
            "/v1/reviews",
            json={"appointment_id": booked["id"], "rating": 5, "comment": "Ótimo!"},
        ),
        201,
    )
    await ok(
        await client.post(
            f"/v1/reviews/{review['id']}/response", json={"text": "Obrigado!"}
        )
    )
    reward = await ok(
        await client.post(
            "/v1/rewards", json={"name": "Hidratação", "points_cost": 50}
        ),
        201,
    )
    await ok(
        await client.post(
            f"/v1/customers/{customer['id']}/redemptions",
            json={"reward_id": reward["id"]},
        ),
        201,
    )
    other = await ok(
        await client.post(
            "/v1/appointments",
            json={
                "customer_id": customer["id"],
                "service_id": salon["service"]["id"],
                "start_time": local_start(gestly.clock.now(), 3, 15),
            },
        ),
        201,
    )
    await ok(
        await client.post(
            f"/v1/appointments/{other['id']}/cancel", json={"reason": "Chuva"}
        )
    )
    await gestly.settle()

    received = {}
    for request in receiver.requests:
        received.setdefault(request.json()["type"], request)
    assert set(received) == set(EVENT_TYPES)
    for event_type, request in received.items():
        assert signature_matches(endpoint["secret"], request.headers, request.body)
        jsonschema.validate(request.json()["data"], EVENT_TYPES[event_type].schema)
    assert received["customer.create"].json()["data"]["email"] == "Joao@example.com"
    assert received["customer.create"].json()["data"]["phone"] == "+5511987654321"
    assert received["customer.update"].json()["data"]["previous_attributes"][
        "name"
    ] == ("João Silva")
    update = received["appointment.update"].json()["data"]  # the reschedule
    assert set(update["previous_attributes"]) >= {"start_time", "end_time"}
    assert received["appointment.reminder"].json()["data"]["reminder"] == {
        "lead_time_minutes": 60
    }
    earned = received["loyalty.points_earned"].json()["data"]
    assert (earned["points"], earned["balance"]) == (60, 60)
    assert received["loyalty.reward_redeemed"].json()["data"]["balance"] == 10
    assert (
        received["appointment.cancel"].json()["data"]["cancellation_reason"] == "Chuva"
    )
    await client.close()
