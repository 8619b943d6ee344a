"""Accounts never see or touch each other's webhook data: another account's ids are
answered exactly like ids that do not exist, and lists and filters stay inside the
caller's account."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from gestly.clock import ManualClock
from tests.e2e.test_api_input import (
    UNKNOWN_DELIVERY_ID,
    UNKNOWN_ENDPOINT_ID,
    UNKNOWN_EVENT_ID,
    assert_error,
    refuse_every_lookup,
    snapshot,
    wait_for_stored_key,
)
from tests.support.harness import Client, Gestly
from tests.support.receivers import PythonReceiver

pytestmark = pytest.mark.anyio


@dataclass
class AccountData:
    """An account with one endpoint, one test event and its delivery."""

    client: Client
    endpoint: dict[str, Any]
    event_id: str
    delivery_id: str

    def listed_id(self, path: str) -> str:
        """The id this account's one item has in the list at ``path``."""
        return {
            "/v1/webhook_endpoints": self.endpoint["id"],
            "/v1/events": self.event_id,
            "/v1/webhook_deliveries": self.delivery_id,
        }[path]


@pytest.fixture
async def gestly(database_url: str, clock: ManualClock) -> AsyncIterator[Gestly]:
    """The suite's development-mode Gestly, kept away from real DNS."""
    harness = await Gestly(database_url, clock, lookup=refuse_every_lookup).start()
    yield harness
    await harness.stop()


async def set_up_account(
    gestly: Gestly, receiver: PythonReceiver, name: str
) -> AccountData:
    client = await gestly.new_account(name)
    return await set_up_account_items(client, receiver, name)


async def set_up_account_items(
    client: Client, receiver: PythonReceiver, name: str
) -> AccountData:
    """Give ``client``'s account a new endpoint and send it a test event."""
    endpoint = await client.create_endpoint(receiver.url, description=name)
    sent = await client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/test", json={"type": "review.create"}
    )
    assert sent.status_code == 202, sent.text
    return AccountData(
        client, endpoint, sent.json()["event_id"], sent.json()["delivery_id"]
    )


@pytest.fixture
async def account_a(
    gestly: Gestly, receiver: PythonReceiver
) -> AsyncIterator[AccountData]:
    data = await set_up_account(gestly, receiver, "Barbearia A")
    yield data
    await data.client.close()


@pytest.fixture
async def account_b(
    gestly: Gestly, receiver: PythonReceiver, account_a: AccountData
) -> AsyncIterator[AccountData]:
    data = await set_up_account(gestly, receiver, "Salão B")
    await gestly.settle()
    yield data
    await data.client.close()


# (method, path, body); {endpoint}, {event} and {delivery} are A's ids.
FOREIGN_REQUESTS = [
    ("GET", "/v1/webhook_endpoints/{endpoint}", None),
    (
        "PATCH",
        "/v1/webhook_endpoints/{endpoint}",
        {"url": "http://127.0.0.1:9/stolen", "description": "B", "enabled": False},
    ),
    ("DELETE", "/v1/webhook_endpoints/{endpoint}", None),
    ("POST", "/v1/webhook_endpoints/{endpoint}/rotate_secret", None),
    ("POST", "/v1/webhook_endpoints/{endpoint}/test", {"type": "review.create"}),
    (
        "POST",
        "/v1/webhook_endpoints/{endpoint}/recover",
        {"since": "2020-01-01T00:00:00Z"},
    ),
    ("GET", "/v1/events/{event}", None),
    ("GET", "/v1/webhook_deliveries/{delivery}", None),
    ("POST", "/v1/webhook_deliveries/{delivery}/retry", None),
]


def fill(path: str, endpoint_id: str, event_id: str, delivery_id: str) -> str:
    return path.format(endpoint=endpoint_id, event=event_id, delivery=delivery_id)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    FOREIGN_REQUESTS,
    ids=[f"{method} {path}" for method, path, _ in FOREIGN_REQUESTS],
)
async def test_other_accounts_resource_is_404_like_an_unknown_id_and_unchanged(
    gestly: Gestly,
    account_a: AccountData,
    account_b: AccountData,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    a_ids = (account_a.endpoint["id"], account_a.event_id, account_a.delivery_id)
    unknown_ids = (UNKNOWN_ENDPOINT_ID, UNKNOWN_EVENT_ID, UNKNOWN_DELIVERY_ID)
    before = await snapshot(gestly)

    foreign = await account_b.client.request(method, fill(path, *a_ids), json=body)
    unknown = await account_b.client.request(
        method, fill(path, *unknown_ids), json=body
    )

    error = assert_error(foreign, 404, None)
    assert error["code"] == "not_found"
    masked = error["message"]
    for a_id, unknown_id in zip(a_ids, unknown_ids, strict=True):
        masked = masked.replace(a_id, unknown_id)
    assert masked == unknown.json()["error"]["message"]
    assert account_a.endpoint["secret"] not in foreign.text
    assert account_a.endpoint["url"] not in foreign.text
    assert await snapshot(gestly) == before


async def test_owner_sees_its_data_unchanged_after_other_accounts_attempts(
    gestly: Gestly, account_a: AccountData, account_b: AccountData
) -> None:
    a_ids = (account_a.endpoint["id"], account_a.event_id, account_a.delivery_id)
    owner = account_a.client
    endpoint_path = f"/v1/webhook_endpoints/{account_a.endpoint['id']}"
    delivery_path = f"/v1/webhook_deliveries/{account_a.delivery_id}"
    delivery_before = (await owner.get(delivery_path)).json()
    events_before = (await owner.get("/v1/events")).json()

    for method, path, body in FOREIGN_REQUESTS:
        await account_b.client.request(method, fill(path, *a_ids), json=body)
    await gestly.settle()

    assert (await owner.get(endpoint_path)).json() == account_a.endpoint
    assert (await owner.get(delivery_path)).json() == delivery_before
    assert (await owner.get("/v1/events")).json() == events_before
    assert [item["id"] for item in events_before["data"]] == [account_a.event_id]


LISTS = ["/v1/webhook_endpoints", "/v1/events", "/v1/webhook_deliveries"]


@pytest.mark.parametrize("path", LISTS)
async def test_lists_hold_only_the_callers_items(
    account_a: AccountData, account_b: AccountData, path: str
) -> None:
    listed_by_b = (await account_b.client.get(path, params={"limit": 100})).json()
    listed_by_a = (await account_a.client.get(path, params={"limit": 100})).json()

    assert [item["id"] for item in listed_by_b["data"]] == [account_b.listed_id(path)]
    assert [item["id"] for item in listed_by_a["data"]] == [account_a.listed_id(path)]


@pytest.mark.parametrize("path", LISTS)
async def test_cursor_from_other_account_pages_only_the_callers_items(
    gestly: Gestly,
    receiver: PythonReceiver,
    account_a: AccountData,
    account_b: AccountData,
    path: str,
) -> None:
    # A's second set of items is newer than B's, so as a cursor it lies before
    # B's items and A's first set alike.
    newer_a = await set_up_account_items(account_a.client, receiver, "A again")
    await gestly.settle()

    response = await account_b.client.get(
        path, params={"cursor": newer_a.listed_id(path)}
    )

    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["data"]] == [
        account_b.listed_id(path)
    ]


@pytest.mark.parametrize("name", ["endpoint_id", "event_id"])
async def test_filtering_deliveries_by_other_accounts_id_returns_nothing(
    account_a: AccountData, account_b: AccountData, name: str
) -> None:
    value = account_a.endpoint["id"] if name == "endpoint_id" else account_a.event_id

    response = await account_b.client.get(
        "/v1/webhook_deliveries", params={name: value}
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": [], "has_more": False, "next_cursor": None}


async def test_same_idempotency_key_in_two_accounts_creates_one_endpoint_each(
    gestly: Gestly, account_a: AccountData, account_b: AccountData
) -> None:
    body = {"url": "http://127.0.0.1:9/shared", "description": "Shared key"}
    headers = {"Idempotency-Key": "same-key-in-both-accounts"}
    from_a = await account_a.client.post(
        "/v1/webhook_endpoints", json=body, headers=headers
    )
    await wait_for_stored_key(gestly, "same-key-in-both-accounts")

    from_b = await account_b.client.post(
        "/v1/webhook_endpoints", json=body, headers=headers
    )

    assert from_a.status_code == from_b.status_code == 201
    assert "idempotent-replayed" not in from_b.headers
    assert from_b.json()["id"] != from_a.json()["id"]
    assert from_b.json()["secret"] != from_a.json()["secret"]
    listed_by_b = (await account_b.client.get("/v1/webhook_endpoints")).json()
    assert from_a.json()["id"] not in [item["id"] for item in listed_by_b["data"]]
