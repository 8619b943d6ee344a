"""The SDK verifies real deliveries from a running server, one per event type, and
returns each as its own typed class."""

import pytest

import gestly_sdk
from tests.support.harness import Gestly
from tests.support.receivers import PythonReceiver

pytestmark = pytest.mark.anyio

TYPED = {
    "appointment.create": gestly_sdk.AppointmentCreated,
    "appointment.update": gestly_sdk.AppointmentUpdated,
    "appointment.cancel": gestly_sdk.AppointmentCancelled,
    "appointment.reminder": gestly_sdk.AppointmentReminder,
    "customer.create": gestly_sdk.CustomerCreated,
    "customer.update": gestly_sdk.CustomerUpdated,
    "review.create": gestly_sdk.ReviewCreated,
    "review.response": gestly_sdk.ReviewResponded,
    "loyalty.points_earned": gestly_sdk.PointsEarned,
    "loyalty.reward_redeemed": gestly_sdk.RewardRedeemed,
}


async def test_sdk_verifies_a_real_delivery_of_every_type(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    for event_type in TYPED:
        await client.post(
            f"/v1/webhook_endpoints/{endpoint['id']}/test", json={"type": event_type}
        )
    requests = await receiver.wait_for(len(TYPED))
    webhook = gestly_sdk.Webhook(endpoint["secret"])

    events = [webhook.verify(request.body, request.headers) for request in requests]

    assert {event.type: type(event) for event in events} == TYPED
    await client.close()


async def test_sdk_refuses_a_real_delivery_signed_for_another_endpoint(
    gestly: Gestly, receiver: PythonReceiver
) -> None:
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    other = await client.create_endpoint(receiver.url)
    await client.post(f"/v1/webhook_endpoints/{endpoint['id']}/test")
    [request] = await receiver.wait_for(1)

    with pytest.raises(gestly_sdk.SignatureMismatchError):
        gestly_sdk.Webhook(other["secret"]).verify(request.body, request.headers)
    await client.close()
