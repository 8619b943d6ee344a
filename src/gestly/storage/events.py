"""Events and the transactional outbox.

``publish_event`` is called inside the caller's transaction, next to the change that
caused the event: the event row and one delivery row per subscribed, enabled endpoint
are written in the same commit, or not at all. The fan-out is a single multi-row
insert however many endpoints there are. Once the commit is durable, the delivery
worker is woken: through ``NOTIFY`` on PostgreSQL (sent by the database at commit),
in process on SQLite.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.database import Transaction
from gestly.storage.endpoints import list_receiving_endpoints
from gestly.storage.schema import deliveries, events
from gestly.webhooks.payloads import build_envelope, serialize

DELIVERY_CHANNEL: Final = "gestly_deliveries"


@dataclass(frozen=True, slots=True)
class PublishedEvent:
    id: str
    delivery_ids: list[str]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: str
    account_id: str
    type: str
    created_at: datetime
    body: bytes


async def publish_event(
    tx: Transaction,
    *,
    account_id: str,
    event_type: str,
    data: dict[str, Any],
    now: datetime,
    only_endpoint_id: str | None = None,
) -> PublishedEvent:
    """Store an event and its deliveries in ``tx``; the caller commits.

    ``only_endpoint_id`` sends the event to that one endpoint whatever it subscribes
    to (the ``/test`` route uses it).
    """
    event_id = new_id("evt")
    body = serialize(build_envelope(event_id, event_type, now, data))
    await tx.connection.execute(
        insert(events).values(
            id=event_id,
            account_id=account_id,
            type=event_type,
            created_at=now,
            body=body,
        )
    )

    if only_endpoint_id is not None:
        endpoint_ids = [only_endpoint_id]
    else:
        endpoint_ids = await list_receiving_endpoints(
            tx.connection, account_id, event_type
        )
    delivery_ids = [new_id("del") for _ in endpoint_ids]
    if delivery_ids:
        await tx.connection.execute(
            insert(deliveries),
            [
                {
                    "id": delivery_id,
                    "account_id": account_id,
                    "event_id": event_id,
                    "endpoint_id": endpoint_id,
                    "event_type": event_type,
                    "status": "pending",
                    "attempt_count": 0,
                    "manual_attempt_count": 0,
                    "next_attempt_at": now,
                    "scheduled_attempt_at": None,
                    "manual_pending": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for delivery_id, endpoint_id in zip(
                    delivery_ids, endpoint_ids, strict=True
                )
            ],
        )
        await wake_workers(tx)
    return PublishedEvent(id=event_id, delivery_ids=delivery_ids)


async def wake_workers(tx: Transaction) -> None:
    """Tell delivery workers that work is due, once ``tx`` has committed."""
    if tx.dialect == "postgresql":
        await tx.connection.execute(
            text("SELECT pg_notify(:channel, '')"), {"channel": DELIVERY_CHANNEL}
        )
    tx.after_commit(tx.wake_local_workers)


def event_from_row(row: Any) -> StoredEvent:
    return StoredEvent(
        id=row.id,
        account_id=row.account_id,
        type=row.type,
        created_at=row.created_at,
        body=row.body,
    )


async def get_event(
    connection: AsyncConnection, account_id: str, event_id: str
) -> StoredEvent | None:
    row = (
        await connection.execute(
            select(events).where(
                events.c.account_id == account_id, events.c.id == event_id
            )
        )
    ).first()
    return None if row is None else event_from_row(row)


async def list_events(
    connection: AsyncConnection,
    account_id: str,
    *,
    event_type: str | None,
    created_after: datetime | None,
    created_before: datetime | None,
    cursor: str | None,
    limit: int,
) -> list[StoredEvent]:
    """Newest first; ``cursor`` is the last id of the previous page."""
    query = select(events).where(events.c.account_id == account_id)
    if event_type is not None:
        query = query.where(events.c.type == event_type)
    if created_after is not None:
        query = query.where(events.c.created_at >= created_after)
    if created_before is not None:
        query = query.where(events.c.created_at < created_before)
    if cursor is not None:
        query = query.where(events.c.id < cursor)
    rows = await connection.execute(query.order_by(events.c.id.desc()).limit(limit))
    return [event_from_row(row) for row in rows]
