"""``/v1/webhook_endpoints``: where an account's events are delivered."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import Field, StrictBool, StrictStr

from gestly.api.dependencies import (
    AccountId,
    Page,
    PageOf,
    ServicesDep,
    list_response,
    read_time,
)
from gestly.api.errors import BadRequest, Conflict, NotFound, Unprocessable
from gestly.api.models import StrictModel
from gestly.api.serializers import endpoint_json
from gestly.delivery.resolver import (
    BlockedAddressError,
    HostLookupError,
    resolve_checked,
)
from gestly.storage import endpoints as endpoint_store
from gestly.storage.deliveries import recover_failed_deliveries
from gestly.storage.endpoints import LISTEN_MODE
from gestly.storage.events import publish_event
from gestly.webhooks.catalog import ALL_EVENTS, EVENT_TYPES, unknown_event_types
from gestly.webhooks.destinations import DestinationError, check_address, parse_url

router = APIRouter(prefix="/v1/webhook_endpoints", tags=["webhook endpoints"])
EndpointPage = Annotated[Page, Depends(PageOf("we"))]

MAX_GRACE_HOURS = 7 * 24
DEFAULT_GRACE_HOURS = 24

EventList = Annotated[list[StrictStr], Field(max_length=len(EVENT_TYPES) + 1)]


class EndpointCreate(StrictModel):
    url: StrictStr = Field(max_length=2048)
    description: StrictStr = Field(default="", max_length=500)
    events: EventList | None = None
    enabled: StrictBool = True


class EndpointUpdate(StrictModel):
    url: StrictStr | None = Field(default=None, max_length=2048)
    description: StrictStr | None = Field(default=None, max_length=500)
    events: EventList | None = None
    enabled: StrictBool | None = None


class RotateSecret(StrictModel):
    grace_period_hours: Annotated[int, Field(ge=0, le=MAX_GRACE_HOURS, strict=True)] = (
        DEFAULT_GRACE_HOURS
    )


class SendTest(StrictModel):
    type: StrictStr = "appointment.create"


class Recover(StrictModel):
    since: StrictStr


def check_event_types(events: list[str] | None) -> None:
    if events == []:
        raise Unprocessable(
            "events is empty; list event types, or use '*' (or leave it out) for all",
            field="events",
        )
    unknown = unknown_event_types(events or [])
    if unknown:
        raise Unprocessable(
            f"unknown event type {unknown[0]!r}; see GET /v1/event_types "
            f"or use {ALL_EVENTS!r} for all",
            field="events",
        )


async def check_destination(services: ServicesDep, url: str) -> None:
    """Refuse, with a 422 naming ``url``, any URL deliveries may not go to."""
    try:
        parsed = parse_url(url, services.policy)
        if parsed.literal_address is None:
            await resolve_checked(
                parsed.host, parsed.port, services.policy, services.lookup
            )
        else:
            check_address(parsed.literal_address, services.policy)
    except (DestinationError, BlockedAddressError, HostLookupError) as exc:
        raise Unprocessable(str(exc), field="url") from exc


@router.post("", status_code=201)
async def create_endpoint(
    body: EndpointCreate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    check_event_types(body.events)
    await check_destination(services, body.url)

    now = services.clock.now()
    async with services.database.transaction() as tx:
        endpoint = await endpoint_store.create_endpoint(
            tx,
            account_id=account_id,
            url=body.url,
            description=body.description,
            event_types=body.events,
            enabled=body.enabled,
            now=now,
        )
    return endpoint_json(endpoint, now, with_secret=True)


@router.get("")
async def list_endpoints(
    account_id: AccountId,
    services: ServicesDep,
    page: EndpointPage,
) -> dict[str, Any]:
    async with services.database.read() as connection:
        found = await endpoint_store.list_endpoints(
            connection, account_id, limit=page.limit + 1, cursor=page.cursor
        )
    now = services.clock.now()
    items = [endpoint_json(item, now, with_secret=False) for item in found]
    return list_response(items, page.limit)


async def load_endpoint(
    services: ServicesDep, account_id: str, endpoint_id: str
) -> endpoint_store.Endpoint:
    async with services.database.read() as connection:
        endpoint = await endpoint_store.get_endpoint(
            connection, account_id, endpoint_id
        )
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id!r} in this account")
    return endpoint


@router.get("/{endpoint_id}")
async def get_endpoint(
    endpoint_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    endpoint = await load_endpoint(services, account_id, endpoint_id)
    return endpoint_json(endpoint, services.clock.now(), with_secret=True)


@router.patch("/{endpoint_id}")
async def update_endpoint(
    endpoint_id: str,
    body: EndpointUpdate,
    account_id: AccountId,
    services: ServicesDep,
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    for name in ("url", "description", "enabled", "events"):
        if name in changes and changes[name] is None:
            raise Unprocessable(f"{name} cannot be null", field=name)
    check_event_types(body.events)
    if body.url is not None:
        current = await load_endpoint(services, account_id, endpoint_id)
        if current.mode == LISTEN_MODE:
            raise Conflict(
                "this endpoint belongs to gestly listen and has no URL; create "
                "another endpoint for a URL"
            )
        await check_destination(services, body.url)
    if "events" in changes:
        changes["event_types"] = changes.pop("events")

    now = services.clock.now()
    async with services.database.transaction() as tx:
        endpoint = await endpoint_store.update_endpoint(
            tx, account_id, endpoint_id, changes, now
        )
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id!r} in this account")
    return endpoint_json(endpoint, now, with_secret=True)


@router.delete("/{endpoint_id}", status_code=204)
async def delete_endpoint(
    endpoint_id: str, account_id: AccountId, services: ServicesDep
) -> Response:
    async with services.database.transaction() as tx:
        deleted = await endpoint_store.delete_endpoint(
            tx, account_id, endpoint_id, services.clock.now()
        )
    if not deleted:
        raise NotFound(f"no webhook endpoint {endpoint_id!r} in this account")
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate_secret")
async def rotate_secret(
    endpoint_id: str,
    account_id: AccountId,
    services: ServicesDep,
    body: RotateSecret | None = None,
) -> dict[str, Any]:
    grace = timedelta(hours=(body or RotateSecret()).grace_period_hours)
    now = services.clock.now()
    async with services.database.transaction() as tx:
        endpoint = await endpoint_store.rotate_secret(
            tx, account_id, endpoint_id, grace=grace, now=now
        )
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id!r} in this account")
    return endpoint_json(endpoint, now, with_secret=True)


@router.post("/{endpoint_id}/test", status_code=202)
async def send_test_event(
    endpoint_id: str,
    account_id: AccountId,
    services: ServicesDep,
    body: SendTest | None = None,
) -> dict[str, Any]:
    """Send the catalog example of an event type as a real, signed, logged delivery."""
    requested = (body or SendTest()).type
    event_type = EVENT_TYPES.get(requested)
    if event_type is None:
        raise Unprocessable(
            f"unknown event type {requested!r}; see GET /v1/event_types",
            field="type",
        )
    endpoint = await load_endpoint(services, account_id, endpoint_id)
    if not endpoint.enabled:
        raise Conflict(
            f"the endpoint is disabled ({endpoint.disabled_reason}); enable it first"
        )

    async with services.database.transaction() as tx:
        published = await publish_event(
            tx,
            account_id=account_id,
            event_type=event_type.name,
            data=event_type.example,
            now=services.clock.now(),
            only_endpoint_id=endpoint_id,
        )
    return {"event_id": published.id, "delivery_id": published.delivery_ids[0]}


@router.post("/{endpoint_id}/recover", status_code=202)
async def recover_endpoint(
    endpoint_id: str,
    account_id: AccountId,
    services: ServicesDep,
    body: Recover | None = None,
) -> dict[str, Any]:
    """Attempt again every failed delivery of this endpoint created since ``since``."""
    if body is None:
        raise Unprocessable(
            "since is required: the time from which failed deliveries are retried",
            field="since",
        )
    since = read_time(body.since, "since")
    assert since is not None
    endpoint = await load_endpoint(services, account_id, endpoint_id)
    if not endpoint.enabled:
        raise Conflict(
            f"the endpoint is disabled ({endpoint.disabled_reason}); enable it first"
        )
    async with services.database.transaction() as tx:
        count = await recover_failed_deliveries(
            tx, account_id, endpoint_id, since, services.clock.now()
        )
    return {"recovered": count}


def check_event_type_filter(value: str | None, field: str) -> None:
    if value is not None and value not in EVENT_TYPES:
        raise BadRequest(
            f"{field} {value!r} is not an event type; see GET /v1/event_types",
            field=field,
        )
