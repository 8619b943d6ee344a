"""``/v1/webhook_deliveries``: the delivery log, with every attempt, and retries."""

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
from gestly.api.errors import BadRequest, Conflict, NotFound
from gestly.api.routes.webhook_endpoints import check_event_type_filter
from gestly.api.serializers import attempt_json, delivery_json
from gestly.storage.deliveries import (
    DeliveryFilters,
    DeliveryStatus,
    RetryRefusedError,
    get_delivery,
    list_attempts,
    list_deliveries,
    request_manual_retry,
)
from gestly.storage.events import get_event

router = APIRouter(prefix="/v1/webhook_deliveries", tags=["webhook deliveries"])
DeliveryPage = Annotated[Page, Depends(PageOf("del"))]


def read_status(value: str | None) -> DeliveryStatus | None:
    if value is None:
        return None
    try:
        return DeliveryStatus(value)
    except ValueError:
        choices = ", ".join(status.value for status in DeliveryStatus)
        raise BadRequest(
            f"status {value!r} is not one of {choices}", field="status"
        ) from None


@router.get("")
async def list_account_deliveries(
    account_id: AccountId,
    services: ServicesDep,
    page: DeliveryPage,
    status: str | None = None,
    event_type: str | None = None,
    endpoint_id: str | None = None,
    event_id: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
) -> dict[str, Any]:
    check_event_type_filter(event_type, "event_type")
    filters = DeliveryFilters(
        status=read_status(status),
        event_type=event_type,
        endpoint_id=endpoint_id,
        event_id=event_id,
        created_after=read_time(created_after, "created_after"),
        created_before=read_time(created_before, "created_before"),
    )
    async with services.database.read() as connection:
        found = await list_deliveries(
            connection,
            account_id,
            filters,
            cursor=page.cursor,
            limit=page.limit + 1,
            now=services.clock.now(),
        )
    return list_response([delivery_json(item) for item in found], page.limit)


@router.get("/{delivery_id}")
async def get_account_delivery(
    delivery_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    """The delivery with its event and every attempt, oldest first."""
    async with services.database.read() as connection:
        delivery = await get_delivery(
            connection, account_id, delivery_id, services.clock.now()
        )
        if delivery is None:
            raise NotFound(f"no webhook delivery {delivery_id!r} in this account")
        event = await get_event(connection, account_id, delivery.event_id)
        attempts = await list_attempts(connection, delivery_id)
    assert event is not None, "a delivery's event is deleted only with the delivery"
    body_text = event.body.decode("utf-8")
    return {
        **delivery_json(delivery),
        "payload": body_text,
        "attempts": [attempt_json(attempt, body_text) for attempt in attempts],
    }


@router.post("/{delivery_id}/retry", status_code=202)
async def retry_delivery(
    delivery_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    """One more attempt now; the retry schedule stays as it was."""
    try:
        async with services.database.transaction() as tx:
            delivery = await request_manual_retry(
                tx, account_id, delivery_id, services.clock.now()
            )
    except RetryRefusedError as exc:
        raise Conflict(str(exc)) from exc
    if delivery is None:
        raise NotFound(f"no webhook delivery {delivery_id!r} in this account")
    return delivery_json(delivery)
