"""Read-only queries the panel needs beyond what the API uses.

Every query is scoped to one account. Recent windows are cut on the time-ordered
delivery id rather than on ``created_at``, so they use the ``(account_id, id)`` index.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import TIME_CHARS, encode_base32
from gestly.storage.business import DEFAULT_TIME_ZONE
from gestly.storage.deliveries import (
    DeliveryFilters,
    DeliveryStatus,
    DeliverySummary,
    apply_filters,
    summary_from_row,
)
from gestly.storage.schema import business_settings, deliveries, endpoints


@dataclass(frozen=True, slots=True)
class EndpointHealth:
    """How an endpoint's deliveries created in a recent window went.

    ``waiting`` counts deliveries not attempted yet; ``retrying`` ones that failed at
    least once and will be attempted again.
    """

    succeeded: int = 0
    failed: int = 0
    retrying: int = 0
    waiting: int = 0

    @property
    def attempted(self) -> int:
        """Deliveries tried at least once: the ones a success rate can speak of."""
        return self.succeeded + self.failed + self.retrying

    @property
    def success_percent(self) -> int | None:
        """Whole percent of attempted deliveries that succeeded; None if none were.

        One still being retried counts as not (yet) delivered, so the rate never
        reads 100 % beside a "com falhas" badge.
        """
        if self.attempted == 0:
            return None
        return round(100 * self.succeeded / self.attempted)

    @property
    def failing(self) -> bool:
        return self.failed > 0 or self.retrying > 0


def id_floor(prefix: str, moment: datetime) -> str:
    """The smallest id ``new_id(prefix)`` could have made at ``moment``."""
    millis = int(moment.timestamp() * 1000)
    return f"{prefix}_{encode_base32(millis, TIME_CHARS)}"


async def endpoint_health(
    connection: AsyncConnection, account_id: str, since: datetime
) -> dict[str, EndpointHealth]:
    """Delivery outcomes per endpoint for deliveries created since ``since``."""
    # A literal 0, not a bound parameter: PostgreSQL must see the same expression in
    # the select list and in GROUP BY.
    attempted = deliveries.c.attempt_count > literal_column("0")
    rows = await connection.execute(
        select(
            deliveries.c.endpoint_id,
            deliveries.c.status,
            attempted.label("attempted"),
            func.count().label("total"),
        )
        .where(
            deliveries.c.account_id == account_id,
            deliveries.c.id >= id_floor("del", since),
        )
        .group_by(
            deliveries.c.endpoint_id,
            deliveries.c.status,
            attempted,
        )
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        tally = counts.setdefault(row.endpoint_id, {})
        status = DeliveryStatus(row.status)
        if status is DeliveryStatus.SUCCEEDED:
            key = "succeeded"
        elif status is DeliveryStatus.FAILED:
            key = "failed"
        elif status is DeliveryStatus.RETRYING or row.attempted:
            key = "retrying"
        else:
            key = "waiting"
        tally[key] = tally.get(key, 0) + int(row.total)
    return {
        endpoint_id: EndpointHealth(**tally) for endpoint_id, tally in counts.items()
    }


async def endpoint_urls(
    connection: AsyncConnection, account_id: str, endpoint_ids: set[str]
) -> dict[str, tuple[str, bool]]:
    """``{id: (url, deleted)}`` for the account's endpoints, deleted ones included.

    The delivery log outlives an endpoint's deletion, and still names it.
    """
    if not endpoint_ids:
        return {}
    rows = await connection.execute(
        select(endpoints.c.id, endpoints.c.url, endpoints.c.deleted_at).where(
            endpoints.c.account_id == account_id, endpoints.c.id.in_(endpoint_ids)
        )
    )
    return {row.id: (row.url, row.deleted_at is not None) for row in rows}


async def list_newer_deliveries(
    connection: AsyncConnection,
    account_id: str,
    filters: DeliveryFilters,
    *,
    after: str,
    limit: int,
    now: datetime,
) -> list[DeliverySummary]:
    """The ``limit`` deliveries just newer than id ``after``, newest first.

    The way back through ``storage.deliveries.list_deliveries``'s pages: same
    filters, the other side of the cursor.
    """
    query = apply_filters(
        select(deliveries).where(deliveries.c.account_id == account_id), filters
    ).where(deliveries.c.id > after)
    rows = await connection.execute(query.order_by(deliveries.c.id.asc()).limit(limit))
    return [summary_from_row(row, now) for row in reversed(rows.all())]


async def get_time_zone(connection: AsyncConnection, account_id: str) -> str:
    """The business's IANA time zone, in which the panel shows times."""
    zone = await connection.scalar(
        select(business_settings.c.time_zone).where(
            business_settings.c.account_id == account_id
        )
    )
    return str(zone) if zone else DEFAULT_TIME_ZONE
