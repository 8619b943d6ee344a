"""What every route needs: the services, the caller's account, list parameters."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from gestly.api.errors import BadRequest, Unauthorized
from gestly.clock import Clock, parse_timestamp
from gestly.config import Settings
from gestly.delivery.resolver import LookupHost
from gestly.ids import has_prefix
from gestly.storage.accounts import (
    find_token_account,
    needs_last_used_update,
    touch_token,
)
from gestly.storage.database import Database
from gestly.webhooks.destinations import DestinationPolicy


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    database: Database
    clock: Clock
    policy: DestinationPolicy
    lookup: LookupHost


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def authenticate(services: Services, authorization: str) -> str:
    """The account of an ``Authorization: Bearer`` header; 401 without a live token."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send your API token as 'Authorization: Bearer <token>'")
    async with services.database.read() as connection:
        found = await find_token_account(connection, token.strip())
    if found is None:
        raise Unauthorized("the API token is invalid or has been revoked")
    token_id, account_id, last_used_at = found
    now = services.clock.now()
    if needs_last_used_update(last_used_at, now):
        async with services.database.transaction() as tx:
            await touch_token(tx, token_id, now)
    return account_id


async def get_account_id(request: Request, services: ServicesDep) -> str:
    return await authenticate(services, request.headers.get("authorization", ""))


AccountId = Annotated[str, Depends(get_account_id)]


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    cursor: str | None


class PageOf:
    """Reads ``limit`` and ``cursor`` for a list of ids with one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(
        self,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        cursor: str | None = None,
    ) -> Page:
        if cursor is not None and not has_prefix(cursor, self.prefix):
            raise BadRequest(
                f"cursor {cursor!r} is not a {self.prefix}_ id; pass next_cursor "
                "as given",
                field="cursor",
            )
        return Page(limit=limit, cursor=cursor)


def read_time(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        raise BadRequest(
            f"{field} {value!r} is not an ISO 8601 time with an offset, such as "
            "2026-01-02T14:00:00Z",
            field=field,
        ) from None


def list_response(items: list[dict[str, object]], limit: int) -> dict[str, object]:
    """The list envelope: ``data``, ``has_more`` and the cursor of the next page.

    Callers fetch ``limit + 1`` rows; the extra one only tells that more exist.
    """
    has_more = len(items) > limit
    data = items[:limit]
    return {
        "data": data,
        "has_more": has_more,
        "next_cursor": data[-1]["id"] if has_more and data else None,
    }
