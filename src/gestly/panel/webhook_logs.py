"""The "Logs de Webhook" screen: every delivery, newest first, and its attempts.

Filters live in the query string (``de``, ``ate``, ``evento``, ``status``,
``endpoint``) so a filtered view can be shared as a link; pages are cut on delivery
ids (``antes`` for older, ``depois`` for newer), like the API's cursors. Dates are
whole days in the business's time zone; ``ate`` includes its day.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from gestly.api.dependencies import Services, ServicesDep
from gestly.ids import has_prefix
from gestly.panel.access import (
    CheckedPost,
    PageNotFoundError,
    PanelUser,
    SignedIn,
)
from gestly.panel.rendering import render, zone_of
from gestly.panel.texts import (
    ACTION_MESSAGES,
    STATUS_CHOICES,
    translate_last_error,
    translate_retry_refusal,
)
from gestly.storage import endpoints as endpoint_store
from gestly.storage.deliveries import (
    DeliveryFilters,
    DeliveryStatus,
    DeliverySummary,
    RetryRefusedError,
    get_delivery,
    list_attempts,
    list_deliveries,
    request_manual_retry,
)
from gestly.storage.events import get_event
from gestly.storage.panel_queries import endpoint_urls, list_newer_deliveries
from gestly.webhooks.catalog import EVENT_TYPES

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/painel/logs-de-webhook", include_in_schema=False)

LOGS_PATH: Final = "/painel/logs-de-webhook"
PAGE_SIZE: Final = 25
POLL_INTERVAL_S: Final = 1
MAX_POLLS: Final = 60  # a minute of polling; then the page asks for a reload
ENDPOINT_PAGE_SIZE: Final = 100


@dataclass
class LogFilters:
    """The filters as typed (to refill the form) and as understood (to query)."""

    given: dict[str, str] = field(default_factory=dict)
    query: DeliveryFilters = field(default_factory=DeliveryFilters)
    problems: list[str] = field(default_factory=list)

    def link(self, **extra: str) -> str:
        values = {name: value for name, value in self.given.items() if value}
        values.update(extra)
        return f"{LOGS_PATH}?{urlencode(values)}" if values else LOGS_PATH

    @property
    def active(self) -> bool:
        return any(self.given.values())


def local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone_of(zone))


def read_day(value: str, label: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(
            f"A data “{value}” em “{label}” não é válida (no endereço, use o formato "
            "aaaa-mm-dd)."
        )
        return None


def read_log_filters(request: Request, zone: str) -> LogFilters:
    params = request.query_params
    given = {
        name: params.get(name, "").strip()
        for name in ("de", "ate", "evento", "status", "endpoint")
    }
    problems: list[str] = []

    start = read_day(given["de"], "De", problems)
    end = read_day(given["ate"], "Até", problems)
    if start is not None and end is not None and end < start:
        problems.append("A data final vem antes da inicial; troque as duas de lugar.")
        start = end = None
    event_type = given["evento"] or None
    if event_type is not None and event_type not in EVENT_TYPES:
        problems.append(f"“{event_type}” não é um tipo de evento do Gestly.")
        event_type = None
    status: DeliveryStatus | None = None
    if given["status"]:
        try:
            status = DeliveryStatus(given["status"])
        except ValueError:
            problems.append(f"“{given['status']}” não é uma situação de entrega.")
    endpoint_id = given["endpoint"] or None
    if endpoint_id is not None and not has_prefix(endpoint_id, "we"):
        problems.append(f"“{endpoint_id}” não é um endpoint desta conta.")
        endpoint_id = None

    return LogFilters(
        given=given,
        query=DeliveryFilters(
            status=status,
            event_type=event_type,
            endpoint_id=endpoint_id,
            created_after=None if start is None else local_midnight(start, zone),
            created_before=None
            if end is None
            else local_midnight(end + timedelta(days=1), zone),
        ),
        problems=problems,
    )


async def list_all_endpoints(
    services: Services, account_id: str
) -> list[endpoint_store.Endpoint]:
    """Every live endpoint of the account, newest first (accounts have few)."""
    found: list[endpoint_store.Endpoint] = []
    cursor: str | None = None
    async with services.database.read() as connection:
        while True:
            page = await endpoint_store.list_endpoints(
                connection, account_id, limit=ENDPOINT_PAGE_SIZE, cursor=cursor
            )
            found.extend(page)
            if len(page) < ENDPOINT_PAGE_SIZE:
                return found
            cursor = page[-1].id


@router.get("")
async def logs_page(
    request: Request, user: SignedIn, services: ServicesDep
) -> Response:
    filters = read_log_filters(request, user.time_zone)
    older_than = request.query_params.get("antes")
    newer_than = request.query_params.get("depois")
    now = services.clock.now()

    async with services.database.read() as connection:
        if newer_than and has_prefix(newer_than, "del"):
            found = await list_newer_deliveries(
                connection,
                user.account.id,
                filters.query,
                after=newer_than,
                limit=PAGE_SIZE + 1,
                now=now,
            )
            has_newer = len(found) > PAGE_SIZE
            rows = found[1:] if has_newer else found
            has_older = True
        else:
            cursor = (
                older_than if older_than and has_prefix(older_than, "del") else None
            )
            found = await list_deliveries(
                connection,
                user.account.id,
                filters.query,
                cursor=cursor,
                limit=PAGE_SIZE + 1,
                now=now,
            )
            has_older = len(found) > PAGE_SIZE
            rows = found[:PAGE_SIZE]
            has_newer = cursor is not None
        urls = await endpoint_urls(
            connection, user.account.id, {row.endpoint_id for row in rows}
        )
    endpoints = await list_all_endpoints(services, user.account.id)

    return render(
        request,
        "logs.html",
        {
            "deliveries": rows,
            "urls": urls,
            "filters": filters,
            "endpoints": endpoints,
            "status_choices": STATUS_CHOICES,
            "older_link": filters.link(antes=rows[-1].id)
            if has_older and rows
            else None,
            "newer_link": filters.link(depois=rows[0].id)
            if has_newer and rows
            else None,
            "first_link": filters.link() if has_newer else None,
            "now": now,
        },
        user=user,
    )


def awaiting_attempt(delivery: DeliverySummary, now: datetime) -> bool:
    """An attempt is being made or is due now: worth watching for a moment."""
    return delivery.in_progress or (
        delivery.next_attempt_at is not None and delivery.next_attempt_at <= now
    )


async def load_delivery(
    services: Services, user: PanelUser, delivery_id: str
) -> dict[str, Any]:
    """The delivery, its payload, endpoint and attempts; 404 page if not this
    account's."""
    now = services.clock.now()
    async with services.database.read() as connection:
        delivery = await get_delivery(connection, user.account.id, delivery_id, now)
        if delivery is None:
            raise PageNotFoundError
        event = await get_event(connection, user.account.id, delivery.event_id)
        attempts = await list_attempts(connection, delivery.id)
        urls = await endpoint_urls(connection, user.account.id, {delivery.endpoint_id})
    url, endpoint_deleted = urls.get(delivery.endpoint_id, ("", True))
    return {
        "delivery": delivery,
        "payload": None if event is None else event.body.decode("utf-8"),
        "attempts": attempts,
        "endpoint_url": url,
        "endpoint_deleted": endpoint_deleted,
        "now": now,
        "awaiting": awaiting_attempt(delivery, now),
        "last_error": translate_last_error(delivery.last_error),
    }


def poll_context(request: Request, awaiting: bool) -> dict[str, Any]:
    """Whether the fragment asks to be fetched again, and how many times it was."""
    try:
        polls = int(request.query_params.get("vez", "0"))
    except ValueError:
        polls = 0
    return {
        "poll_next": polls + 1 if awaiting and polls < MAX_POLLS else None,
        "poll_gave_up": awaiting and polls >= MAX_POLLS,
        "poll_delay_s": POLL_INTERVAL_S,
    }


@router.get("/{delivery_id}")
async def delivery_page(
    request: Request,
    delivery_id: str,
    user: SignedIn,
    services: ServicesDep,
) -> Response:
    view = await load_delivery(services, user, delivery_id)
    notice = ACTION_MESSAGES.get(request.query_params.get("feito", ""))
    return render(
        request,
        "delivery.html",
        {**view, **poll_context(request, view["awaiting"]), "notice": notice},
        user=user,
    )


@router.get("/{delivery_id}/situacao")
async def delivery_activity(
    request: Request,
    delivery_id: str,
    user: SignedIn,
    services: ServicesDep,
) -> Response:
    """The polled part of a delivery's page: its state and its attempts."""
    view = await load_delivery(services, user, delivery_id)
    return render(
        request,
        "_delivery_activity.html",
        {**view, **poll_context(request, view["awaiting"])},
        user=user,
    )


@router.post("/{delivery_id}/reenviar")
async def resend_delivery(
    request: Request,
    delivery_id: str,
    user: CheckedPost,
    services: ServicesDep,
) -> Response:
    """One more attempt now (the API's manual retry); the refusal in Portuguese."""
    try:
        async with services.database.transaction() as tx:
            delivery = await request_manual_retry(
                tx, user.account.id, delivery_id, services.clock.now()
            )
    except RetryRefusedError as exc:
        view = await load_delivery(services, user, delivery_id)
        return render(
            request,
            "delivery.html",
            {
                **view,
                **poll_context(request, view["awaiting"]),
                "notice": None,
                "error": translate_retry_refusal(str(exc)),
            },
            user=user,
            status_code=409,
        )
    if delivery is None:
        raise PageNotFoundError
    logger.info(
        "manual retry requested from the panel delivery_id=%s",
        delivery_id,
        extra={"action": "panel.retry_requested"},
    )
    return RedirectResponse(
        f"{LOGS_PATH}/{delivery_id}?feito=reenvio-pedido", status_code=303
    )
