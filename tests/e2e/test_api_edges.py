"""Edge inputs found by attacking the API: each gets a 4xx and writes nothing, and a
request that dies frees its Idempotency-Key."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gestly.api.dependencies import Services
from gestly.api.middleware import RequestRulesMiddleware
from tests.e2e.test_scheduling_events import set_up_salon
from tests.support.harness import Gestly

pytestmark = pytest.mark.anyio


async def test_overlong_time_zone_is_a_422_naming_the_field(gestly: Gestly) -> None:
    client = await gestly.new_account()

    response = await client.patch(
        "/v1/business_settings", json={"time_zone": "a" * 300}
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "time_zone"
    await client.close()


async def test_booking_at_the_end_of_time_is_refused_and_writes_nothing(
    gestly: Gestly,
) -> None:
    client = await gestly.new_account()
    salon = await set_up_salon(client)
    customer = (await client.post("/v1/customers", json={"name": "Ana"})).json()

    response = await client.post(
        "/v1/appointments",
        json={
            "customer_id": customer["id"],
            "service_id": salon["service"]["id"],
            "start_time": "9999-12-31T23:30:00+00:00",
        },
    )
    listed = (await client.get("/v1/appointments")).json()["data"]
    availability = await client.get(
        "/v1/availability",
        params={"date": "9999-12-31", "service_id": salon["service"]["id"]},
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "start_time"
    assert listed == []
    assert availability.status_code == 400
    await client.close()


async def test_request_that_dies_frees_its_idempotency_key(gestly: Gestly) -> None:
    client = await gestly.new_account()
    calls = 0

    async def flaky(_request: Request) -> Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the first call dies")
        return Response('{"ok": true}', media_type="application/json")

    inner = Starlette(routes=[Route("/v1/things", flaky, methods=["POST"])])
    inner.state.services = Services(
        gestly.settings, gestly.database, gestly.clock, gestly.policy, gestly.lookup
    )
    inner.add_middleware(RequestRulesMiddleware)
    transport = httpx.ASGITransport(app=inner, raise_app_exceptions=False)
    headers = {"Authorization": f"Bearer {client.token}", "Idempotency-Key": "k-1"}

    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        first = await http.post("/v1/things", json={}, headers=headers)
        second = await http.post("/v1/things", json={}, headers=headers)

    assert first.status_code == 500
    assert second.status_code == 200, (second.text, calls)
    assert calls == 2
    await client.close()
