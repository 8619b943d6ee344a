"""Keyset pagination of ``/v1/webhook_endpoints``: following ``next_cursor`` lists
every endpoint once, newest first, even while endpoints are added or deleted."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gestly.clock import ManualClock
from tests.e2e.test_api_input import refuse_every_lookup
from tests.support.harness import Client, Gestly

pytestmark = pytest.mark.anyio

PAGE_SIZE = 3


@pytest.fixture
async def gestly(database_url: str, clock: ManualClock) -> AsyncIterator[Gestly]:
    """The suite's development-mode Gestly, kept away from real DNS."""
    harness = await Gestly(
        database_url, clock, lookup=refuse_every_lookup, with_worker=False
    ).start()
    yield harness
    await harness.stop()


@pytest.fixture
async def client(gestly: Gestly) -> AsyncIterator[Client]:
    client = await gestly.new_account()
    yield client
    await client.close()


async def create_endpoints(client: Client, count: int) -> list[str]:
    """Create ``count`` endpoints one after another; return their ids, oldest first."""
    return [
        (await client.create_endpoint(f"http://127.0.0.1:9/hook-{number}"))["id"]
        for number in range(count)
    ]


async def get_page(client: Client, cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if cursor is not None:
        params["cursor"] = cursor
    response = await client.get("/v1/webhook_endpoints", params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def follow_pages(
    client: Client, first: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every page from ``first`` (or the first page) to the last."""
    pages = [first or await get_page(client, None)]
    while pages[-1]["next_cursor"] is not None:
        assert len(pages) < 10, "pagination does not end"
        pages.append(await get_page(client, pages[-1]["next_cursor"]))
    return pages


def ids_of(pages: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for page in pages for item in page["data"]]


async def test_pages_of_three_list_all_seven_endpoints_once_newest_first(
    client: Client,
) -> None:
    created = await create_endpoints(client, 7)

    pages = await follow_pages(client)

    assert ids_of(pages) == created[::-1]
    assert [len(page["data"]) for page in pages] == [3, 3, 1]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert [page["next_cursor"] for page in pages] == [created[4], created[1], None]


async def test_endpoint_created_between_pages_does_not_shift_later_pages(
    client: Client,
) -> None:
    created = await create_endpoints(client, 7)
    first = await get_page(client, None)
    [newest] = await create_endpoints(client, 1)

    pages = await follow_pages(client, first)
    fresh = await follow_pages(client)

    assert ids_of(pages) == created[::-1]
    assert len(set(ids_of(pages))) == len(ids_of(pages))
    assert ids_of(fresh) == [newest, *created[::-1]]


async def test_deleting_the_cursor_endpoint_between_pages_skips_nothing(
    client: Client,
) -> None:
    created = await create_endpoints(client, 7)
    first = await get_page(client, None)
    deleted = await client.delete(f"/v1/webhook_endpoints/{first['next_cursor']}")

    pages = await follow_pages(client, first)

    assert deleted.status_code == 204
    assert ids_of(pages) == created[::-1]


async def test_exactly_one_full_page_has_no_next_cursor(client: Client) -> None:
    created = await create_endpoints(client, PAGE_SIZE)

    page = await get_page(client, None)

    assert [item["id"] for item in page["data"]] == created[::-1]
    assert page["has_more"] is False
    assert page["next_cursor"] is None
