"""Webhook endpoints: where an account's events go, and the secrets that sign them.

Secrets are stored as they are because every attempt is signed with them; see the
README's limitations. Deleting an endpoint only marks it deleted, so its delivery log
stays readable and in-flight attempts can still be recorded.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.database import Transaction
from gestly.storage.schema import endpoints
from gestly.webhooks.catalog import ALL_EVENTS
from gestly.webhooks.signing import generate_secret

DISABLED_BY_ACCOUNT = "disabled by the account"
HTTP_MODE = "http"
LISTEN_MODE = "listen"


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    account_id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    secret: str
    previous_secret: str | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    mode: str = HTTP_MODE

    def receives(self, event_type: str) -> bool:
        return ALL_EVENTS in self.event_types or event_type in self.event_types

    def active_secrets(self, now: datetime) -> list[str]:
        """Secrets that sign attempts made at ``now``, newest first."""
        if (
            self.previous_secret is not None
            and self.previous_secret_expires_at is not None
            and now < self.previous_secret_expires_at
        ):
            return [self.secret, self.previous_secret]
        return [self.secret]


def endpoint_from_row(row: Any) -> Endpoint:
    return Endpoint(
        id=row.id,
        account_id=row.account_id,
        url=row.url,
        description=row.description,
        event_types=list(row.event_types),
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        secret=row.secret,
        previous_secret=row.previous_secret,
        previous_secret_expires_at=row.previous_secret_expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        mode=row.mode,
    )


def normalize_event_types(event_types: list[str] | None) -> list[str]:
    """``None``, ``[]`` and any list holding ``*`` all mean every event type."""
    if not event_types or ALL_EVENTS in event_types:
        return [ALL_EVENTS]
    return sorted(set(event_types))


async def create_endpoint(
    tx: Transaction,
    *,
    account_id: str,
    url: str,
    description: str,
    event_types: list[str] | None,
    enabled: bool,
    now: datetime,
    mode: str = HTTP_MODE,
) -> Endpoint:
    endpoint = Endpoint(
        id=new_id("we"),
        account_id=account_id,
        url=url,
        description=description,
        event_types=normalize_event_types(event_types),
        enabled=enabled,
        disabled_reason=None if enabled else DISABLED_BY_ACCOUNT,
        secret=generate_secret(),
        previous_secret=None,
        previous_secret_expires_at=None,
        created_at=now,
        updated_at=now,
        mode=mode,
    )
    await tx.connection.execute(insert(endpoints).values(**asdict(endpoint)))
    return endpoint


def scoped(account_id: str) -> Any:
    return (endpoints.c.account_id == account_id) & endpoints.c.deleted_at.is_(None)


async def get_endpoint(
    connection: AsyncConnection, account_id: str, endpoint_id: str
) -> Endpoint | None:
    row = (
        await connection.execute(
            select(endpoints).where(scoped(account_id), endpoints.c.id == endpoint_id)
        )
    ).first()
    return None if row is None else endpoint_from_row(row)


async def list_endpoints(
    connection: AsyncConnection,
    account_id: str,
    *,
    limit: int,
    cursor: str | None,
) -> list[Endpoint]:
    """Newest first; ``cursor`` is the last id of the previous page."""
    query = select(endpoints).where(scoped(account_id))
    if cursor is not None:
        query = query.where(endpoints.c.id < cursor)
    rows = await connection.execute(query.order_by(endpoints.c.id.desc()).limit(limit))
    return [endpoint_from_row(row) for row in rows]


async def update_endpoint(
    tx: Transaction,
    account_id: str,
    endpoint_id: str,
    changes: dict[str, Any],
    now: datetime,
) -> Endpoint | None:
    """Apply ``changes`` (url, description, event_types, enabled); None if not found."""
    values = dict(changes)
    if "event_types" in values:
        values["event_types"] = normalize_event_types(values["event_types"])
    if "enabled" in values:
        values["disabled_reason"] = None if values["enabled"] else DISABLED_BY_ACCOUNT
    values["updated_at"] = now
    result = await tx.connection.execute(
        update(endpoints)
        .where(scoped(account_id), endpoints.c.id == endpoint_id)
        .values(**values)
    )
    if result.rowcount != 1:
        return None
    return await get_endpoint(tx.connection, account_id, endpoint_id)


async def delete_endpoint(
    tx: Transaction, account_id: str, endpoint_id: str, now: datetime
) -> bool:
    result = await tx.connection.execute(
        update(endpoints)
        .where(scoped(account_id), endpoints.c.id == endpoint_id)
        .values(
            deleted_at=now,
            enabled=False,
            disabled_reason="endpoint deleted",
            updated_at=now,
        )
    )
    return result.rowcount == 1


async def rotate_secret(
    tx: Transaction,
    account_id: str,
    endpoint_id: str,
    *,
    grace: timedelta,
    now: datetime,
) -> Endpoint | None:
    """Make a new secret; the current one keeps signing for ``grace``.

    Only two secrets are ever active: rotating again during a grace period retires
    the older of the previous pair at once.
    """
    current = await get_endpoint(tx.connection, account_id, endpoint_id)
    if current is None:
        return None
    keep_previous = grace > timedelta(0)
    await tx.connection.execute(
        update(endpoints)
        .where(endpoints.c.id == endpoint_id)
        .values(
            secret=generate_secret(),
            previous_secret=current.secret if keep_previous else None,
            previous_secret_expires_at=now + grace if keep_previous else None,
            updated_at=now,
        )
    )
    return await get_endpoint(tx.connection, account_id, endpoint_id)


async def disable_endpoint(
    tx: Transaction, endpoint_id: str, reason: str, now: datetime
) -> None:
    await tx.connection.execute(
        update(endpoints)
        .where(endpoints.c.id == endpoint_id)
        .values(enabled=False, disabled_reason=reason, updated_at=now)
    )


async def list_receiving_endpoints(
    connection: AsyncConnection, account_id: str, event_type: str
) -> list[str]:
    """Ids of the account's enabled endpoints subscribed to ``event_type``."""
    rows = await connection.execute(
        select(endpoints.c.id, endpoints.c.event_types).where(
            scoped(account_id), endpoints.c.enabled.is_(True)
        )
    )
    return [
        row.id
        for row in rows
        if ALL_EVENTS in row.event_types or event_type in row.event_types
    ]
