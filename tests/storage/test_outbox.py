"""The transactional outbox and delivery claims, on SQLite and PostgreSQL alike."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import Table, func, select

from gestly.clock import ManualClock
from gestly.storage.database import Database
from gestly.storage.deliveries import (
    AttemptRecord,
    ClaimedDelivery,
    DeliveryStatus,
    DeliveryUpdate,
    claim_due_deliveries,
    purge_expired_logs,
    record_attempts,
)
from gestly.storage.endpoints import create_endpoint, disable_endpoint
from gestly.storage.events import publish_event
from gestly.storage.schema import deliveries, events

pytestmark = pytest.mark.anyio

LEASE = timedelta(seconds=30)


class Rollback(Exception):
    pass


async def add_endpoints(
    database: Database,
    account_id: str,
    clock: ManualClock,
    count: int,
    event_types: list[str] | None = None,
    enabled: bool = True,
) -> list[str]:
    async with database.transaction() as tx:
        return [
            (
                await create_endpoint(
                    tx,
                    account_id=account_id,
                    url=f"https://hooks{index}.example.com/gestly",
                    description="",
                    event_types=event_types,
                    enabled=enabled,
                    now=clock.now(),
                )
            ).id
            for index in range(count)
        ]


async def count_rows(database: Database, table: Table) -> int:
    async with database.read() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)))


async def publish(database: Database, account_id: str, clock: ManualClock) -> list[str]:
    async with database.transaction() as tx:
        published = await publish_event(
            tx,
            account_id=account_id,
            event_type="customer.create",
            data={"id": "cus_1", "name": "Ana"},
            now=clock.now(),
        )
    return published.delivery_ids


async def claim(
    database: Database,
    clock: ManualClock,
    limit: int = 100,
    endpoint_cap: int = 20,
    per_endpoint_room: dict[str, int] | None = None,
) -> list[ClaimedDelivery]:
    async with database.transaction() as tx:
        return await claim_due_deliveries(
            tx,
            now=clock.now(),
            limit=limit,
            lease=LEASE,
            per_endpoint_room=per_endpoint_room or {},
            endpoint_cap=endpoint_cap,
        )


async def test_rolled_back_transaction_leaves_no_event_and_no_delivery(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    await add_endpoints(database, account_id, clock, 3)

    async def publish_then_fail() -> None:
        async with database.transaction() as tx:
            await publish_event(
                tx,
                account_id=account_id,
                event_type="customer.create",
                data={"id": "cus_1"},
                now=clock.now(),
            )
            raise Rollback

    with pytest.raises(Rollback):
        await publish_then_fail()

    assert await count_rows(database, events) == 0
    assert await count_rows(database, deliveries) == 0


async def test_one_event_fans_out_to_a_thousand_endpoints_in_one_commit(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    await add_endpoints(database, account_id, clock, 1000)

    delivery_ids = await publish(database, account_id, clock)

    assert len(delivery_ids) == 1000
    assert await count_rows(database, deliveries) == 1000


async def test_only_enabled_subscribed_endpoints_get_a_delivery(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    [subscribed] = await add_endpoints(
        database, account_id, clock, 1, ["customer.create"]
    )
    [everything] = await add_endpoints(database, account_id, clock, 1, None)
    await add_endpoints(database, account_id, clock, 1, ["review.create"])
    await add_endpoints(database, account_id, clock, 1, None, enabled=False)

    await publish(database, account_id, clock)
    claimed = await claim(database, clock)

    assert {item.endpoint.id for item in claimed} == {subscribed, everything}


async def test_claimed_deliveries_come_back_only_after_the_lease_expires(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    await add_endpoints(database, account_id, clock, 2)
    await publish(database, account_id, clock)

    first = await claim(database, clock)
    during = await claim(database, clock)
    clock.advance(LEASE + timedelta(seconds=1))
    after = await claim(database, clock)

    assert len(first) == 2
    assert during == []
    assert {item.id for item in after} == {item.id for item in first}
    assert {item.claim_token for item in after}.isdisjoint(
        {item.claim_token for item in first}
    )


async def test_result_of_an_expired_claim_does_not_overwrite_the_new_one(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    await add_endpoints(database, account_id, clock, 1)
    await publish(database, account_id, clock)
    [stale] = await claim(database, clock)
    clock.advance(LEASE + timedelta(seconds=1))
    [fresh] = await claim(database, clock)

    record = AttemptRecord(
        delivery_id=stale.id,
        claim_token=stale.claim_token,
        number=1,
        manual=False,
        started_at=clock.now(),
        duration_ms=5,
        request_headers={},
        succeeded=True,
        status_code=200,
        response_headers={},
        response_body="",
        response_truncated=False,
        error_kind=None,
        error_message=None,
    )
    async with database.transaction() as tx:
        await record_attempts(
            tx, [(record, DeliveryUpdate(DeliveryStatus.SUCCEEDED, None))], clock.now()
        )
    async with database.read() as connection:
        row = (
            await connection.execute(
                select(deliveries).where(deliveries.c.id == fresh.id)
            )
        ).one()

    assert row.status == "pending"
    assert row.claim_token == fresh.claim_token


async def test_concurrent_claimers_never_take_the_same_delivery(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    await add_endpoints(database, account_id, clock, 50)
    for _ in range(8):
        await publish(database, account_id, clock)

    async def drain() -> list[str]:
        taken: list[str] = []
        while batch := await claim(database, clock, limit=40, endpoint_cap=100):
            taken.extend(item.id for item in batch)
        return taken

    drained = await asyncio.gather(*(drain() for _ in range(6)))

    claimed = [delivery_id for taken in drained for delivery_id in taken]
    assert len(claimed) == 400
    assert len(set(claimed)) == 400


async def test_claim_takes_at_most_the_per_endpoint_cap_from_one_endpoint(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    [busy] = await add_endpoints(database, account_id, clock, 1)
    for _ in range(30):
        await publish(database, account_id, clock)
    [other] = await add_endpoints(database, account_id, clock, 1)
    await publish(database, account_id, clock)

    first = await claim(database, clock, limit=100, endpoint_cap=5)
    full = await claim(
        database, clock, limit=100, endpoint_cap=5, per_endpoint_room={busy: 0}
    )

    assert sum(item.endpoint.id == busy for item in first) == 5
    assert sum(item.endpoint.id == other for item in first) == 1
    assert full == []


async def test_disabled_endpoint_deliveries_fail_without_an_attempt(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    [endpoint_id] = await add_endpoints(database, account_id, clock, 1)
    [delivery_id] = await publish(database, account_id, clock)
    async with database.transaction() as tx:
        await disable_endpoint(tx, endpoint_id, "disabled by the account", clock.now())

    claimed = await claim(database, clock)
    async with database.read() as connection:
        row = (
            await connection.execute(
                select(deliveries).where(deliveries.c.id == delivery_id)
            )
        ).one()

    assert claimed == []
    assert row.status == "failed"
    assert "disabled" in row.last_error


async def test_retention_deletes_old_finished_logs_and_keeps_pending_ones(
    database: Database, account_id: str, clock: ManualClock
) -> None:
    await add_endpoints(database, account_id, clock, 1)
    [finished] = await publish(database, account_id, clock)
    await publish(database, account_id, clock)
    async with database.transaction() as tx:
        await tx.connection.execute(
            deliveries.update()
            .where(deliveries.c.id == finished)
            .values(status="succeeded", next_attempt_at=None)
        )
    clock.advance(timedelta(days=31))

    async with database.transaction() as tx:
        deleted = await purge_expired_logs(tx, clock.now() - timedelta(days=30), 100)

    assert deleted == 1
    assert await count_rows(database, events) == 1
    assert await count_rows(database, deliveries) == 1
