"""How deliveries behave when receivers fail, hang, redirect or go away: retries on
the documented schedule (driven by a hand-moved clock), timeouts, 410, Retry-After,
manual retries and secret rotation."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from gestly.clock import parse_timestamp
from tests.support.harness import Client, Gestly
from tests.support.receivers import PythonReceiver

pytestmark = pytest.mark.anyio

DOCUMENTED_DELAYS = [
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
]


async def send_test_event(
    client: Client, endpoint_id: str, event_type: str = "appointment.create"
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/webhook_endpoints/{endpoint_id}/test", json={"type": event_type}
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def get_delivery(client: Client, delivery_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/webhook_deliveries/{delivery_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_failing_receiver_gets_five_attempts_at_the_documented_offsets(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.status = 500
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    failed_at = [gestly.clock.now()]

    for delay in DOCUMENTED_DELAYS:
        delivery = await get_delivery(client, sent["delivery_id"])
        due = parse_timestamp(delivery["next_attempt_at"])
        assert delivery["status"] == "retrying"
        assert failed_at[-1] + delay <= due + timedelta(seconds=1)
        assert due <= failed_at[-1] + delay * 1.1 + timedelta(seconds=1)

        gestly.clock.set(failed_at[-1] + delay - timedelta(seconds=1))
        await gestly.settle()
        assert len(receiver.requests) == len(failed_at), "attempt came early"

        gestly.clock.set(due + timedelta(seconds=1))
        await gestly.settle()
        assert len(receiver.requests) == len(failed_at) + 1
        failed_at.append(gestly.clock.now())

    gestly.clock.advance(timedelta(days=2))
    await gestly.settle()
    delivery = await get_delivery(client, sent["delivery_id"])

    assert delivery["status"] == "failed"
    assert delivery["attempt_count"] == 5
    assert delivery["next_attempt_at"] is None
    assert len(receiver.requests) == 5
    assert [attempt["number"] for attempt in delivery["attempts"]] == [1, 2, 3, 4, 5]
    assert {request.headers["webhook-id"] for request in receiver.requests} == {
        sent["event_id"]
    }
    assert len({request.body for request in receiver.requests}) == 1
    assert (
        len({request.headers["webhook-timestamp"] for request in receiver.requests})
        == 5
    )
    assert [request.headers["x-webhook-attempt"] for request in receiver.requests] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    await client.close()


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, b""), (204, b""), (202, b"queued, thanks"), (200, b"<html>ok</html>")],
)
async def test_any_2xx_is_a_success_whatever_the_body(
    gestly: Gestly, receiver: PythonReceiver, status: int, body: bytes
) -> None:
    receiver.behaviour.status = status
    receiver.behaviour.body = body
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)

    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    delivery = await get_delivery(client, sent["delivery_id"])

    assert delivery["status"] == "succeeded"
    assert delivery["attempts"][0]["response"]["status_code"] == status
    await client.close()


async def test_redirect_is_a_failed_attempt_and_is_not_followed(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.status = 301
    receiver.behaviour.headers = {"Location": f"http://127.0.0.1:{receiver.port}/moved"}
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)

    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    delivery = await get_delivery(client, sent["delivery_id"])

    assert [request.path for request in receiver.requests] == ["/webhooks"]
    assert delivery["status"] == "retrying"
    error = delivery["attempts"][0]["error"]
    assert error["kind"] == "redirect_not_followed"
    assert "/moved" in error["message"]
    await client.close()


async def test_hanging_endpoint_times_out_while_a_healthy_one_keeps_receiving(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    hanging = await PythonReceiver().start()
    hanging.behaviour.hang = True
    client = await gestly.new_account()
    slow = await client.create_endpoint(hanging.url)
    healthy = await client.create_endpoint(receiver.url)
    timeout_s = gestly.settings.request_timeout_s

    for _ in range(30):
        await send_test_event(client, slow["id"])
    started = asyncio.get_running_loop().time()
    sent = [await send_test_event(client, healthy["id"]) for _ in range(40)]
    await receiver.wait_for(40, timeout=timeout_s)
    healthy_done_after = asyncio.get_running_loop().time() - started

    await gestly.settle(timeout=4 * timeout_s + 5)
    slow_deliveries = (
        await client.get(f"/v1/webhook_deliveries?endpoint_id={slow['id']}&limit=100")
    ).json()["data"]
    hanging.release_hung.set()
    await hanging.stop()

    assert healthy_done_after < timeout_s
    assert len(hanging.requests) >= gestly.settings.endpoint_concurrency
    assert {
        item["last_error"] for item in slow_deliveries if item["attempt_count"]
    } == {f"no complete response within {timeout_s:g} s"}
    assert {
        (await get_delivery(client, item["delivery_id"]))["status"] for item in sent
    } == {"succeeded"}
    await client.close()


async def test_gone_disables_the_endpoint_with_the_reason(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.status = 410
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)

    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    delivery = await get_delivery(client, sent["delivery_id"])
    after = (await client.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()

    assert delivery["status"] == "failed"
    assert after["enabled"] is False
    assert "410" in after["disabled_reason"]
    await client.close()


async def test_retry_after_on_503_pushes_the_next_attempt_later(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.status = 503
    receiver.behaviour.headers = {"Retry-After": "3600"}
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)

    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    delivery = await get_delivery(client, sent["delivery_id"])
    due = parse_timestamp(delivery["next_attempt_at"])

    assert gestly.clock.now() + timedelta(hours=1) <= due + timedelta(seconds=1)
    assert due <= gestly.clock.now() + timedelta(hours=1, minutes=11)
    await client.close()


async def test_manual_retry_of_a_failed_delivery_makes_one_more_attempt(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.status = 500
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    sent = await send_test_event(client, endpoint["id"])
    for _ in range(5):
        await gestly.settle()
        gestly.clock.advance(timedelta(hours=13))
    await gestly.settle()
    assert (await get_delivery(client, sent["delivery_id"]))["status"] == "failed"

    receiver.behaviour.status = 200
    response = await client.post(f"/v1/webhook_deliveries/{sent['delivery_id']}/retry")
    await gestly.settle()
    delivery = await get_delivery(client, sent["delivery_id"])

    assert response.status_code == 202
    assert delivery["status"] == "succeeded"
    assert delivery["attempt_count"] == 6
    assert delivery["attempts"][-1]["trigger"] == "manual"
    assert len(receiver.requests) == 6
    await client.close()


async def test_failed_manual_retry_keeps_the_retry_schedule(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.status = 500
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    before = await get_delivery(client, sent["delivery_id"])

    gestly.clock.advance(timedelta(minutes=1))
    await client.post(f"/v1/webhook_deliveries/{sent['delivery_id']}/retry")
    await gestly.settle()
    after = await get_delivery(client, sent["delivery_id"])

    assert len(receiver.requests) == 2
    assert after["status"] == "retrying"
    assert after["next_attempt_at"] == before["next_attempt_at"]
    assert after["attempt_count"] == 2
    await client.close()


async def test_rotation_signs_with_both_secrets_until_the_grace_period_ends(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    old_secret = endpoint["secret"]

    rotated = (
        await client.post(
            f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret",
            json={"grace_period_hours": 24},
        )
    ).json()
    await send_test_event(client, endpoint["id"])
    [during] = await receiver.wait_for(1)
    gestly.clock.advance(timedelta(hours=24, seconds=1))
    await send_test_event(client, endpoint["id"])
    after = (await receiver.wait_for(2))[1]

    new_secret = rotated["secret"]
    assert new_secret != old_secret
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(new_secret).verify(during.body, during.headers)
    Webhook(old_secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert rotated["previous_secret_expires_at"] is not None
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(after.body, after.headers)
    await client.close()


async def test_receiver_bytes_of_any_kind_are_stored_safely(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.status = 500
    receiver.behaviour.body = b"\xff\xfe broken \x00 utf-8 \xc3\x28" * 2000
    receiver.behaviour.headers = {"X-Odd": "caf\u00e9"}
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)

    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    attempt = (await get_delivery(client, sent["delivery_id"]))["attempts"][0]

    assert attempt["response"]["status_code"] == 500
    assert "\x00" not in attempt["response"]["body"]
    assert "broken" in attempt["response"]["body"]
    assert attempt["response"]["body_truncated"] is True
    assert len(attempt["response"]["body"].encode()) <= 16 * 1024 * 3
    await client.close()


async def test_huge_response_is_a_failure_and_only_its_start_is_kept(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.body = b"x" * (2 * 1024 * 1024)
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)

    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    attempt = (await get_delivery(client, sent["delivery_id"]))["attempts"][0]

    assert attempt["error"]["kind"] == "response_too_large"
    assert len(attempt["response"]["body"]) == 16 * 1024
    await client.close()


async def test_delivery_detail_shows_request_and_response_of_each_attempt(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    receiver.behaviour.body = b'{"received": true}'
    receiver.behaviour.headers = {"X-Receiver": "salon"}
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)

    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    delivery = await get_delivery(client, sent["delivery_id"])
    [attempt] = delivery["attempts"]

    assert delivery["payload"].encode() == receiver.requests[0].body
    assert attempt["request"]["body"] == delivery["payload"]
    assert attempt["request"]["headers"]["webhook-id"] == sent["event_id"]
    assert attempt["response"]["headers"]["x-receiver"] == "salon"
    assert attempt["response"]["body"] == '{"received": true}'
    assert attempt["duration_ms"] >= 0
    assert attempt["error"] is None
    await client.close()


async def test_refused_connection_is_recorded_in_plain_words(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    await receiver.stop()

    sent = await send_test_event(client, endpoint["id"])
    await gestly.settle()
    attempt = (await get_delivery(client, sent["delivery_id"]))["attempts"][0]

    assert attempt["response"] is None
    assert attempt["error"]["kind"] == "connection_refused"
    assert attempt["error"]["description"] == "the receiver refused the connection"
    await client.close()
