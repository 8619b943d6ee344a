"""``gestly listen`` forwards a server's deliveries to a local receiver, signed as
real ones, and the delivery log shows what the local receiver answered."""

import asyncio
from typing import Any

import pytest

import gestly_sdk
from gestly.cli.listen import listen
from tests.support.harness import Client, Gestly
from tests.support.receivers import PythonReceiver

pytestmark = pytest.mark.anyio


async def wait_until(condition: object, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    async def poll() -> None:
        # A predicate, not an event: poll it.
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


async def recorded_delivery(client: Client, delivery_id: str) -> dict[str, Any]:
    """The delivery once the session has recorded its attempt (a moment after the
    CLI reports it)."""
    for _ in range(250):
        delivery: dict[str, Any] = (
            await client.get(f"/v1/webhook_deliveries/{delivery_id}")
        ).json()
        if delivery["attempts"]:
            return delivery
        await asyncio.sleep(0.02)
    raise AssertionError(f"no attempt recorded for {delivery_id}")


async def test_listen_forwards_a_test_event_and_reports_the_local_answer(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.status = 202
    receiver.behaviour.body = b"local ok"
    client = await gestly.new_account()
    lines: list[str] = []
    stop = asyncio.Event()
    session = asyncio.create_task(
        listen(
            gestly.base_url,
            client.token,
            receiver.url,
            [],
            show=lines.append,
            stop=stop,
        )
    )
    await wait_until(lambda: any(line.startswith("Ready") for line in lines))
    endpoints = (await client.get("/v1/webhook_endpoints")).json()["data"]
    [endpoint] = [item for item in endpoints if item["mode"] == "listen"]
    secret = (await client.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()[
        "secret"
    ]

    sent = (
        await client.post(
            f"/v1/webhook_endpoints/{endpoint['id']}/test",
            json={"type": "review.create"},
        )
    ).json()
    [request] = await receiver.wait_for(1)
    await wait_until(lambda: len(lines) == 2)
    delivery = await recorded_delivery(client, sent["delivery_id"])
    stop.set()
    await session

    event = gestly_sdk.Webhook(secret).verify(request.body, request.headers)
    assert isinstance(event, gestly_sdk.ReviewCreated)
    assert secret in lines[0]
    assert "review.create" in lines[1]
    assert "202" in lines[1]
    assert delivery["status"] == "succeeded"
    assert delivery["attempts"][0]["response"]["status_code"] == 202
    assert delivery["attempts"][0]["response"]["body"] == "local ok"
    await client.close()


async def test_listen_endpoint_deliveries_wait_for_a_session_not_the_worker(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    client = await gestly.new_account()
    lines: list[str] = []
    stop = asyncio.Event()
    session = asyncio.create_task(
        listen(
            gestly.base_url,
            client.token,
            receiver.url,
            [],
            show=lines.append,
            stop=stop,
        )
    )
    await wait_until(lambda: bool(lines))
    stop.set()
    await session
    endpoints = (await client.get("/v1/webhook_endpoints")).json()["data"]
    [endpoint] = [item for item in endpoints if item["mode"] == "listen"]

    sent = (await client.post(f"/v1/webhook_endpoints/{endpoint['id']}/test")).json()
    await gestly.settle()
    waiting = (await client.get(f"/v1/webhook_deliveries/{sent['delivery_id']}")).json()
    stop = asyncio.Event()
    session = asyncio.create_task(
        listen(
            gestly.base_url,
            client.token,
            receiver.url,
            [],
            show=lines.append,
            stop=stop,
        )
    )
    await receiver.wait_for(1)
    stop.set()
    await session

    assert waiting["status"] == "pending"
    assert waiting["attempt_count"] == 0
    assert receiver.requests[0].headers["webhook-id"] == sent["event_id"]
    await client.close()


async def test_listen_with_a_bad_token_stops_with_a_clear_message(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    lines: list[str] = []

    await asyncio.wait_for(
        listen(gestly.base_url, "gst_wrong", receiver.url, [], show=lines.append), 10
    )

    assert lines == [
        "gestly listen: the API token was refused; check --token or GESTLY_API_TOKEN"
    ]
