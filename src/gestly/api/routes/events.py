"""``/v1/events``: every event the account emitted, as delivered."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from gestly.api.dependencies import (
    AccountId,
    Page,
    PageOf,
    ServicesDep,
    list_response,
    read_time,
)
from gestly.api.errors import BadRequest, NotFound
from gestly.api.routes.webhook_endpoints import check_event_type_filter
from gestly.api.serializers import event_json
from gestly.storage.events import get_event, list_events

router = APIRouter(prefix="/v1/events", tags=["events"])
EventPage = Annotated[Page, Depends(PageOf("evt"))]


@router.get("")
async def list_account_events(
    account_id: AccountId,
    services: ServicesDep,
    page: EventPage,
    event_type: str | None = None,
    type: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
) -> dict[str, Any]:
    """``event_type`` filters by type (``type`` is accepted as well)."""
    if event_type is not None and type is not None and event_type != type:
        raise BadRequest("pass event_type or type, not both", field="event_type")
    wanted = event_type or type
    check_event_type_filter(wanted, "event_type" if event_type else "type")
    async with services.database.read() as connection:
        found = await list_events(
            connection,
            account_id,
            event_type=wanted,
            created_after=read_time(created_after, "created_after"),
            created_before=read_time(created_before, "created_before"),
            cursor=page.cursor,
            limit=page.limit + 1,
        )
    return list_response([event_json(event) for event in found], page.limit)


@router.get("/{event_id}")
async def get_account_event(
    event_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    async with services.database.read() as connection:
        event = await get_event(connection, account_id, event_id)
    if event is None:
        raise NotFound(f"no event {event_id!r} in this account")
    return event_json(event)
