"""The delivery contract, end to end: a real server, a real worker, real receivers."""

import hashlib
import hmac
import json

import pytest
from standardwebhooks import Webhook

from tests.support.harness import Gestly
from tests.support.receivers import NodeReceiver, PythonReceiver

pytestmark = pytest.mark.anyio


async def test_test_event_arrives_signed_with_both_schemes(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)

    response = await client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/test", json={"type": "review.create"}
    )
    [request] = await receiver.wait_for(1)

    assert response.status_code == 202
    secret = endpoint["secret"]
    expected_hex = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-webhook-signature"] == expected_hex
    verified = Webhook(secret).verify(request.body, request.headers)
    assert verified["type"] == "review.create"
    assert request.json()["data"]["customer"]["name"] == "João Silva"
    assert "💈".encode() in request.body
    assert request.headers["webhook-id"] == response.json()["event_id"]
    assert request.headers["content-type"] == "application/json"
    await client.close()


async def test_docs_node_receiver_accepts_every_catalog_example(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    node = NodeReceiver(endpoint["secret"]).start()
    try:
        patched = await client.patch(
            f"/v1/webhook_endpoints/{endpoint['id']}", json={"url": node.url}
        )
        assert patched.status_code == 200
        types = [
            item["name"]
            for item in (await client.get("/v1/event_types")).json()["data"]
        ]
        for event_type in types:
            await client.post(
                f"/v1/webhook_endpoints/{endpoint['id']}/test",
                json={"type": event_type},
            )
        await gestly.settle()

        deliveries = (await client.get("/v1/webhook_deliveries?limit=100")).json()[
            "data"
        ]
        accepted = json.loads(
            (await client.http.get(f"http://127.0.0.1:{node.port}/received")).text
        )
    finally:
        node.stop()
        await client.close()

    assert len(types) == 10
    assert {item["status"] for item in deliveries} == {"succeeded"}
    assert sorted(item["type"] for item in accepted) == sorted(types)
