"""``GET /v1/event_types``: the documented event catalog."""

from typing import Any

from fastapi import APIRouter

from gestly.api.dependencies import AccountId
from gestly.api.errors import NotFound
from gestly.webhooks.catalog import CATALOG, EVENT_TYPES

router = APIRouter(prefix="/v1/event_types", tags=["event types"])


@router.get("")
async def list_event_types(_account_id: AccountId) -> dict[str, Any]:
    data = [event_type.as_json() for event_type in CATALOG]
    return {"data": data, "has_more": False, "next_cursor": None}


@router.get("/{name}")
async def get_event_type(name: str, _account_id: AccountId) -> dict[str, Any]:
    event_type = EVENT_TYPES.get(name)
    if event_type is None:
        raise NotFound(f"there is no event type {name!r}; see GET /v1/event_types")
    return event_type.as_json()
