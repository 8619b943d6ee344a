"""Deliveries (one event for one endpoint) and their attempts.

A delivery is due when ``next_attempt_at`` has passed. Claiming one moves
``next_attempt_at`` forward by the lease and stamps a ``claim_token``: if the worker
dies, the delivery simply becomes due again when the lease runs out, and is attempted
again with the same event id and body. A result is only applied by the claim that made
it, so a worker that lost its lease cannot overwrite newer state.

``attempt_count`` counts every attempt; ``manual_attempt_count`` the ones asked for by
hand, which do not consume the retry schedule.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, bindparam, delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.database import Transaction
from gestly.storage.endpoints import LISTEN_MODE, Endpoint, endpoint_from_row
from gestly.storage.schema import attempts, deliveries, endpoints, events


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: str
    claim_token: str
    account_id: str
    event_id: str
    event_type: str
    body: bytes
    endpoint: Endpoint
    status: "DeliveryStatus"
    attempt_number: int
    scheduled_attempt_number: int
    manual: bool
    scheduled_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """What one attempt did, ready to be stored."""

    delivery_id: str
    claim_token: str
    number: int
    manual: bool
    started_at: datetime
    duration_ms: int
    request_headers: dict[str, str]
    succeeded: bool
    status_code: int | None
    response_headers: dict[str, str] | None
    response_body: str | None
    response_truncated: bool
    error_kind: str | None
    error_message: str | None


@dataclass(frozen=True, slots=True)
class DeliveryUpdate:
    """The delivery's state after an attempt, computed by the worker's policy."""

    status: DeliveryStatus
    next_attempt_at: datetime | None
    disable_endpoint_reason: str | None = None


async def claim_due_deliveries(
    tx: Transaction,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    per_endpoint_room: dict[str, int],
    endpoint_cap: int,
    only_endpoint_id: str | None = None,
) -> list[ClaimedDelivery]:
    """Claim up to ``limit`` due deliveries, at most ``endpoint_cap`` per endpoint.

    ``per_endpoint_room`` maps endpoints this worker already has in flight to how many
    more it may start; endpoints with no room are skipped, so one slow endpoint never
    fills a batch. On PostgreSQL the chosen rows are locked with ``FOR UPDATE SKIP
    LOCKED``: concurrent workers pass over each other's claims instead of waiting.
    SQLite needs no row locks: its writers take turns (``BEGIN IMMEDIATE``).

    Deliveries for ``listen`` endpoints are left to their ``gestly listen`` session,
    which claims with ``only_endpoint_id``.
    """
    full = [endpoint_id for endpoint_id, room in per_endpoint_room.items() if room <= 0]
    candidates = (
        select(deliveries.c.id, deliveries.c.endpoint_id)
        .where(deliveries.c.next_attempt_at <= now)
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit * 4)
    )
    if full:
        candidates = candidates.where(deliveries.c.endpoint_id.not_in(full))
    if only_endpoint_id is not None:
        candidates = candidates.where(deliveries.c.endpoint_id == only_endpoint_id)
    else:
        listened = select(endpoints.c.id).where(endpoints.c.mode == LISTEN_MODE)
        candidates = candidates.where(deliveries.c.endpoint_id.not_in(listened))

    taken: dict[str, int] = defaultdict(int)
    chosen: list[str] = []
    for candidate in await tx.connection.execute(candidates):
        room = per_endpoint_room.get(candidate.endpoint_id, endpoint_cap)
        if taken[candidate.endpoint_id] >= room:
            continue
        taken[candidate.endpoint_id] += 1
        chosen.append(candidate.id)
        if len(chosen) == limit:
            break
    if chosen and tx.dialect == "postgresql":
        # The candidates were read without locks; lock the chosen ones now, skipping
        # those another worker holds, and drop those it claimed in the meantime.
        locked = await tx.connection.execute(
            select(deliveries.c.id)
            .where(deliveries.c.id.in_(chosen), deliveries.c.next_attempt_at <= now)
            .with_for_update(skip_locked=True)
        )
        chosen = [lock.id for lock in locked]
    if not chosen:
        return []

    claim_token = new_id("att")
    await tx.connection.execute(
        update(deliveries)
        .where(deliveries.c.id.in_(chosen))
        .values(next_attempt_at=now + lease, claim_token=claim_token)
    )
    rows = (
        await tx.connection.execute(
            select(
                deliveries.c.id,
                deliveries.c.account_id,
                deliveries.c.event_id,
                deliveries.c.endpoint_id,
                deliveries.c.event_type,
                deliveries.c.attempt_count,
                deliveries.c.manual_attempt_count,
                deliveries.c.manual_pending,
                deliveries.c.status,
                deliveries.c.scheduled_attempt_at,
                events.c.body,
            )
            .join(events, events.c.id == deliveries.c.event_id)
            .where(deliveries.c.id.in_(chosen))
        )
    ).all()
    endpoint_rows = await tx.connection.execute(
        select(endpoints).where(endpoints.c.id.in_({row.endpoint_id for row in rows}))
    )
    endpoints_by_id = {row.id: endpoint_from_row(row) for row in endpoint_rows}

    claimed: list[ClaimedDelivery] = []
    unreachable: list[dict[str, Any]] = []
    for row in rows:
        endpoint = endpoints_by_id[row.endpoint_id]
        if not endpoint.enabled:
            reason = f"not sent: endpoint disabled ({endpoint.disabled_reason})"
            unreachable.append({"b_id": row.id, "b_error": reason})
            continue
        claimed.append(
            ClaimedDelivery(
                id=row.id,
                claim_token=claim_token,
                account_id=row.account_id,
                event_id=row.event_id,
                event_type=row.event_type,
                body=row.body,
                endpoint=endpoint,
                attempt_number=row.attempt_count + 1,
                scheduled_attempt_number=row.attempt_count
                - row.manual_attempt_count
                + 1,
                manual=row.manual_pending,
                status=DeliveryStatus(row.status),
                scheduled_attempt_at=row.scheduled_attempt_at,
            )
        )
    if unreachable:
        await tx.connection.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("b_id"))
            .values(
                status=DeliveryStatus.FAILED,
                next_attempt_at=None,
                scheduled_attempt_at=None,
                manual_pending=False,
                claim_token=None,
                last_error=bindparam("b_error"),
                updated_at=now,
            ),
            unreachable,
        )
    return claimed


async def record_attempts(
    tx: Transaction,
    results: Sequence[tuple[AttemptRecord, DeliveryUpdate]],
    now: datetime,
) -> None:
    """Store a batch of attempts and apply their outcomes, in one transaction."""
    if not results:
        return
    for record, outcome in results:
        if outcome.disable_endpoint_reason is not None:
            await tx.connection.execute(
                update(endpoints)
                .where(
                    endpoints.c.id
                    == select(deliveries.c.endpoint_id)
                    .where(deliveries.c.id == record.delivery_id)
                    .scalar_subquery()
                )
                .values(
                    enabled=False,
                    disabled_reason=outcome.disable_endpoint_reason,
                    updated_at=now,
                )
            )
    await tx.connection.execute(
        insert(attempts),
        [
            {
                "id": new_id("att"),
                "delivery_id": record.delivery_id,
                "number": record.number,
                "trigger": "manual" if record.manual else "scheduled",
                "started_at": record.started_at,
                "duration_ms": record.duration_ms,
                "request_headers": record.request_headers,
                "succeeded": record.succeeded,
                "status_code": record.status_code,
                "response_headers": record.response_headers,
                "response_body": record.response_body,
                "response_truncated": record.response_truncated,
                "error_kind": record.error_kind,
                "error_message": record.error_message,
            }
            for record, _ in results
        ],
    )
    await tx.connection.execute(
        update(deliveries)
        .where(deliveries.c.id == bindparam("b_id"))
        .where(deliveries.c.claim_token == bindparam("b_token"))
        .values(
            status=bindparam("b_status"),
            attempt_count=deliveries.c.attempt_count + 1,
            manual_attempt_count=deliveries.c.manual_attempt_count
            + bindparam("b_manual_increment"),
            next_attempt_at=bindparam("b_next"),
            scheduled_attempt_at=None,
            manual_pending=False,
            claim_token=None,
            last_status_code=bindparam("b_status_code"),
            last_error=bindparam("b_error"),
            updated_at=now,
        ),
        [
            {
                "b_id": record.delivery_id,
                "b_token": record.claim_token,
                "b_status": outcome.status.value,
                "b_manual_increment": 1 if record.manual else 0,
                "b_next": outcome.next_attempt_at,
                "b_status_code": record.status_code,
                "b_error": record.error_message,
            }
            for record, outcome in results
        ],
    )


@dataclass(frozen=True, slots=True)
class DeliverySummary:
    id: str
    event_id: str
    endpoint_id: str
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    in_progress: bool
    created_at: datetime
    updated_at: datetime
    last_status_code: int | None
    last_error: str | None


def summary_from_row(row: Any, now: datetime) -> DeliverySummary:
    """``in_progress``: a worker holds the delivery; its lease hides the next time."""
    in_progress = row.claim_token is not None and row.next_attempt_at > now
    return DeliverySummary(
        id=row.id,
        event_id=row.event_id,
        endpoint_id=row.endpoint_id,
        event_type=row.event_type,
        status=DeliveryStatus(row.status),
        attempt_count=row.attempt_count,
        next_attempt_at=None if in_progress else row.next_attempt_at,
        in_progress=in_progress,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
    )


@dataclass(frozen=True, slots=True)
class DeliveryFilters:
    status: DeliveryStatus | None = None
    event_type: str | None = None
    endpoint_id: str | None = None
    event_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def apply_filters(query: Select[Any], filters: DeliveryFilters) -> Select[Any]:
    """Narrow a query on ``deliveries`` to what ``filters`` asks for."""
    if filters.status is not None:
        query = query.where(deliveries.c.status == filters.status.value)
    if filters.event_type is not None:
        query = query.where(deliveries.c.event_type == filters.event_type)
    if filters.endpoint_id is not None:
        query = query.where(deliveries.c.endpoint_id == filters.endpoint_id)
    if filters.event_id is not None:
        query = query.where(deliveries.c.event_id == filters.event_id)
    if filters.created_after is not None:
        query = query.where(deliveries.c.created_at >= filters.created_after)
    if filters.created_before is not None:
        query = query.where(deliveries.c.created_at < filters.created_before)
    return query


async def list_deliveries(
    connection: AsyncConnection,
    account_id: str,
    filters: DeliveryFilters,
    *,
    cursor: str | None,
    limit: int,
    now: datetime,
) -> list[DeliverySummary]:
    """Newest first; ``cursor`` is the last id of the previous page."""
    query = apply_filters(
        select(deliveries).where(deliveries.c.account_id == account_id), filters
    )
    if cursor is not None:
        query = query.where(deliveries.c.id < cursor)
    rows = await connection.execute(query.order_by(deliveries.c.id.desc()).limit(limit))
    return [summary_from_row(row, now) for row in rows]


async def get_delivery(
    connection: AsyncConnection, account_id: str, delivery_id: str, now: datetime
) -> DeliverySummary | None:
    row = (
        await connection.execute(
            select(deliveries).where(
                deliveries.c.account_id == account_id,
                deliveries.c.id == delivery_id,
            )
        )
    ).first()
    return None if row is None else summary_from_row(row, now)


async def list_attempts(
    connection: AsyncConnection, delivery_id: str
) -> list[dict[str, Any]]:
    """Every attempt of a delivery, oldest first, as stored."""
    rows = await connection.execute(
        select(attempts)
        .where(attempts.c.delivery_id == delivery_id)
        .order_by(attempts.c.started_at, attempts.c.number)
    )
    return [dict(row._mapping) for row in rows]


class RetryRefusedError(ValueError):
    """A manual retry cannot start now; the message says why."""


async def request_manual_retry(
    tx: Transaction, account_id: str, delivery_id: str, now: datetime
) -> DeliverySummary | None:
    """Make one extra attempt due now, leaving the retry schedule where it was.

    Returns None when the account has no such delivery.
    """
    row = (
        await tx.connection.execute(
            select(deliveries, endpoints.c.enabled, endpoints.c.disabled_reason)
            .join(endpoints, endpoints.c.id == deliveries.c.endpoint_id)
            .where(
                deliveries.c.account_id == account_id,
                deliveries.c.id == delivery_id,
            )
        )
    ).first()
    if row is None:
        return None
    if not row.enabled:
        raise RetryRefusedError(
            f"the endpoint is disabled ({row.disabled_reason}); enable it first"
        )
    if row.claim_token is not None and row.next_attempt_at > now:
        raise RetryRefusedError("an attempt is in progress; try again in a moment")
    if row.manual_pending:
        raise RetryRefusedError("a retry is already waiting to be sent")

    await tx.connection.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(
            next_attempt_at=now,
            scheduled_attempt_at=row.next_attempt_at,
            manual_pending=True,
            updated_at=now,
        )
    )
    tx.after_commit(tx.wake_local_workers)
    return await get_delivery(tx.connection, account_id, delivery_id, now)


async def recover_failed_deliveries(
    tx: Transaction, account_id: str, endpoint_id: str, since: datetime, now: datetime
) -> int:
    """Schedule failed deliveries of an endpoint created since ``since`` again.

    Each gets one more attempt now, like a manual retry; returns how many.
    """
    result = await tx.connection.execute(
        update(deliveries)
        .where(
            deliveries.c.account_id == account_id,
            deliveries.c.endpoint_id == endpoint_id,
            deliveries.c.status == DeliveryStatus.FAILED.value,
            deliveries.c.created_at >= since,
            deliveries.c.next_attempt_at.is_(None),
        )
        .values(
            next_attempt_at=now,
            scheduled_attempt_at=None,
            manual_pending=True,
            updated_at=now,
        )
    )
    if result.rowcount:
        tx.after_commit(tx.wake_local_workers)
    return result.rowcount


async def purge_expired_logs(tx: Transaction, cutoff: datetime, batch: int) -> int:
    """Delete up to ``batch`` events older than ``cutoff`` with nothing left to send.

    Their deliveries and attempts go with them. Returns how many events went.
    """
    doomed = [
        row.id
        for row in await tx.connection.execute(
            select(events.c.id)
            .where(events.c.created_at < cutoff)
            .where(
                ~exists().where(
                    deliveries.c.event_id == events.c.id,
                    deliveries.c.next_attempt_at.is_not(None),
                )
            )
            .limit(batch)
        )
    ]
    if not doomed:
        return 0
    delivery_ids = select(deliveries.c.id).where(deliveries.c.event_id.in_(doomed))
    await tx.connection.execute(
        delete(attempts).where(attempts.c.delivery_id.in_(delivery_ids))
    )
    await tx.connection.execute(
        delete(deliveries).where(deliveries.c.event_id.in_(doomed))
    )
    await tx.connection.execute(delete(events).where(events.c.id.in_(doomed)))
    return len(doomed)


async def release_claims(
    tx: Transaction, claimed: Sequence[ClaimedDelivery], now: datetime
) -> None:
    """Hand back claims a stopping worker will not finish: due again at once."""
    await tx.connection.execute(
        update(deliveries)
        .where(deliveries.c.id == bindparam("b_id"))
        .where(deliveries.c.claim_token == bindparam("b_token"))
        .values(next_attempt_at=now, claim_token=None),
        [{"b_id": item.id, "b_token": item.claim_token} for item in claimed],
    )
