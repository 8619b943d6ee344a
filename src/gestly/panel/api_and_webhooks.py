"""The "Configurações > API e Webhooks" screen: API tokens and webhook endpoints.

The rules are the API's own: URLs go through ``check_destination`` and event types
through ``check_event_types``, test events through ``publish_event``; the panel only
says the outcome in Portuguese. A new API token is shown once, in the answer to the
form that made it, and is never put in a URL or a cookie.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from gestly.api.dependencies import Services, ServicesDep
from gestly.api.errors import Unprocessable
from gestly.api.routes.webhook_endpoints import (
    DEFAULT_GRACE_HOURS,
    MAX_GRACE_HOURS,
    check_destination,
    check_event_types,
)
from gestly.panel.access import (
    PANEL_HOME,
    CheckedPost,
    PageNotFoundError,
    PanelUser,
    SignedIn,
    form_text,
    is_htmx,
)
from gestly.panel.rendering import render
from gestly.panel.texts import (
    ACTION_MESSAGES,
    translate_disabled_reason,
    translate_url_problem,
)
from gestly.panel.webhook_logs import (
    list_all_endpoints,
    load_delivery,
    poll_context,
)
from gestly.storage import endpoints as endpoint_store
from gestly.storage.accounts import create_token, list_tokens, revoke_token
from gestly.storage.deliveries import DeliveryFilters, list_deliveries
from gestly.storage.events import publish_event
from gestly.storage.panel_queries import EndpointHealth, endpoint_health
from gestly.webhooks.catalog import ALL_EVENTS, EVENT_TYPES

logger = logging.getLogger(__name__)

router = APIRouter(prefix=PANEL_HOME, include_in_schema=False)

RECENT_WINDOW: Final = timedelta(hours=24)
RECENT_DELIVERIES_SHOWN: Final = 10
MAX_TOKEN_NAME_CHARS: Final = 200
MAX_DESCRIPTION_CHARS: Final = 500
MAX_URL_CHARS: Final = 2048
# The grace periods offered when rotating a secret, in hours, with their words.
GRACE_CHOICES: Final = [
    (0, "nenhum: o segredo atual para de valer agora (use se ele vazou)"),
    (1, "1 hora"),
    (24, "24 horas (recomendado)"),
    (72, "3 dias"),
    (MAX_GRACE_HOURS, "7 dias"),
]


@dataclass(frozen=True, slots=True)
class EndpointState:
    """What the endpoint list and page say about an endpoint, in words."""

    key: str  # "active", "failing" or "disabled": the CSS class
    label: str
    detail: str


def describe_state(
    endpoint: endpoint_store.Endpoint, health: EndpointHealth
) -> EndpointState:
    if not endpoint.enabled:
        return EndpointState(
            "disabled",
            "Desativado",
            translate_disabled_reason(endpoint.disabled_reason).capitalize(),
        )
    if health.failing:
        failed = health.failed + health.retrying
        noun = "entrega falhou" if failed == 1 else "entregas falharam"
        return EndpointState(
            "failing", "Com falhas", f"{failed} {noun} nas últimas 24 horas"
        )
    return EndpointState("active", "Ativo", "Recebendo eventos normalmente")


def describe_success_rate(health: EndpointHealth) -> str:
    percent = health.success_percent
    if percent is None:
        return "Nenhuma entrega concluída nas últimas 24 horas"
    return (
        f"{percent}% entregues nas últimas 24 horas "
        f"({health.succeeded} de {health.attempted})"
    )


@dataclass
class EndpointForm:
    """The add/edit form as typed, and what is wrong with it, field by field."""

    url: str = ""
    description: str = ""
    events: list[str] = field(default_factory=lambda: [ALL_EVENTS])
    errors: dict[str, str] = field(default_factory=dict)


def read_endpoint_form(form: FormData) -> EndpointForm:
    events = [value for value in form.getlist("events") if isinstance(value, str)]
    return EndpointForm(
        url=form_text(form, "url").strip(),
        description=form_text(form, "description").strip(),
        events=[ALL_EVENTS] if ALL_EVENTS in events else events,
    )


async def check_endpoint_form(services: Services, typed: EndpointForm) -> None:
    """Fill ``typed.errors`` with what is wrong, in Portuguese, per field."""
    if not typed.url:
        typed.errors["url"] = (
            "Informe a URL do seu sistema que vai receber os eventos, como "
            "https://meusistema.com.br/webhooks."
        )
    elif len(typed.url) > MAX_URL_CHARS:
        typed.errors["url"] = f"A URL é longa demais: use no máximo {MAX_URL_CHARS}."
    else:
        try:
            await check_destination(services, typed.url)
        except Unprocessable as exc:
            typed.errors["url"] = translate_url_problem(exc.message)
    if "\x00" in typed.description:
        typed.errors["description"] = (
            "A descrição tem um caractere invisível inválido. Digite-a de novo."
        )
    elif len(typed.description) > MAX_DESCRIPTION_CHARS:
        typed.errors["description"] = (
            f"A descrição é longa demais: use no máximo {MAX_DESCRIPTION_CHARS} "
            "caracteres."
        )
    if not typed.events:
        typed.errors["events"] = (
            "Escolha pelo menos um evento, ou marque “Todos os eventos”."
        )
    else:
        try:
            check_event_types(typed.events)
        except Unprocessable:
            typed.errors["events"] = "Escolha os eventos só entre os da lista."


async def load_endpoint(
    services: Services, user: PanelUser, endpoint_id: str
) -> endpoint_store.Endpoint:
    async with services.database.read() as connection:
        endpoint = await endpoint_store.get_endpoint(
            connection, user.account.id, endpoint_id
        )
    if endpoint is None:
        raise PageNotFoundError
    return endpoint


def endpoint_path(endpoint_id: str) -> str:
    return f"{PANEL_HOME}/endpoints/{endpoint_id}"


async def settings_context(services: Services, user: PanelUser) -> dict[str, Any]:
    now = services.clock.now()
    async with services.database.read() as connection:
        tokens = await list_tokens(connection, user.account.id)
        health = await endpoint_health(connection, user.account.id, now - RECENT_WINDOW)
    endpoints = await list_all_endpoints(services, user.account.id)
    rows = []
    for endpoint in endpoints:
        endpoint_health_now = health.get(endpoint.id, EndpointHealth())
        rows.append(
            {
                "endpoint": endpoint,
                "state": describe_state(endpoint, endpoint_health_now),
                "success_rate": describe_success_rate(endpoint_health_now),
            }
        )
    return {"tokens": tokens, "endpoint_rows": rows, "now": now}


@router.get("")
async def settings_page(
    request: Request, user: SignedIn, services: ServicesDep
) -> Response:
    context = await settings_context(services, user)
    notice = ACTION_MESSAGES.get(request.query_params.get("feito", ""))
    return render(
        request,
        "api_and_webhooks.html",
        {**context, "notice": notice, "new_token": None, "token_error": None},
        user=user,
    )


@router.post("/tokens")
async def create_api_token(
    request: Request, user: CheckedPost, services: ServicesDep
) -> Response:
    form = await request.form()
    name = form_text(form, "name").strip()
    name_problem: str | None = None
    new_token = None
    if not name:
        name_problem = "Dê um nome ao token, como “Sistema da recepção”."
    elif "\x00" in name:
        name_problem = "O nome tem um caractere invisível inválido. Digite-o de novo."
    elif len(name) > MAX_TOKEN_NAME_CHARS:
        name_problem = f"Use no máximo {MAX_TOKEN_NAME_CHARS} caracteres no nome."
    else:
        async with services.database.transaction() as tx:
            created = await create_token(
                tx, account_id=user.account.id, name=name, now=services.clock.now()
            )
        new_token = created.token
        logger.info(
            "API token created from the panel token_id=%s",
            created.id,
            extra={"action": "panel.token_created"},
        )
    context = await settings_context(services, user)
    return render(
        request,
        "api_and_webhooks.html",
        {
            **context,
            "notice": None,
            "new_token": new_token,
            "new_token_name": name,
            "token_error": name_problem,
            "token_name": name if name_problem else "",
        },
        user=user,
        status_code=422 if name_problem else 201,
    )


@router.post("/tokens/{token_id}/revogar")
async def revoke_api_token(
    token_id: str, user: CheckedPost, services: ServicesDep
) -> Response:
    async with services.database.transaction() as tx:
        revoked = await revoke_token(
            tx, account_id=user.account.id, token_id=token_id, now=services.clock.now()
        )
    if not revoked:
        raise PageNotFoundError
    logger.info(
        "API token revoked from the panel token_id=%s",
        token_id,
        extra={"action": "panel.token_revoked"},
    )
    return RedirectResponse(f"{PANEL_HOME}?feito=token-revogado", status_code=303)


@router.get("/endpoints/novo")
async def new_endpoint_page(request: Request, user: SignedIn) -> Response:
    return render(
        request,
        "endpoint_form.html",
        {"form": EndpointForm(), "endpoint": None},
        user=user,
    )


@router.post("/endpoints")
async def create_endpoint(
    request: Request, user: CheckedPost, services: ServicesDep
) -> Response:
    typed = read_endpoint_form(await request.form())
    await check_endpoint_form(services, typed)
    if typed.errors:
        return render(
            request,
            "endpoint_form.html",
            {"form": typed, "endpoint": None},
            user=user,
            status_code=422,
        )

    async with services.database.transaction() as tx:
        endpoint = await endpoint_store.create_endpoint(
            tx,
            account_id=user.account.id,
            url=typed.url,
            description=typed.description,
            event_types=typed.events,
            enabled=True,
            now=services.clock.now(),
        )
    logger.info(
        "webhook endpoint created from the panel endpoint_id=%s",
        endpoint.id,
        extra={"action": "panel.endpoint_created"},
    )
    return RedirectResponse(
        f"{endpoint_path(endpoint.id)}?feito=endpoint-criado", status_code=303
    )


async def endpoint_context(
    services: Services, user: PanelUser, endpoint: endpoint_store.Endpoint
) -> dict[str, Any]:
    now = services.clock.now()
    async with services.database.read() as connection:
        health = await endpoint_health(connection, user.account.id, now - RECENT_WINDOW)
        recent = await list_deliveries(
            connection,
            user.account.id,
            DeliveryFilters(endpoint_id=endpoint.id),
            cursor=None,
            limit=RECENT_DELIVERIES_SHOWN,
            now=now,
        )
    endpoint_health_now = health.get(endpoint.id, EndpointHealth())
    rotating = len(endpoint.active_secrets(now)) > 1
    return {
        "endpoint": endpoint,
        "state": describe_state(endpoint, endpoint_health_now),
        "success_rate": describe_success_rate(endpoint_health_now),
        "recent": recent,
        "now": now,
        "rotating_until": endpoint.previous_secret_expires_at if rotating else None,
        "grace_choices": GRACE_CHOICES,
        "default_grace": DEFAULT_GRACE_HOURS,
        "event_types": EVENT_TYPES,
        "all_events": ALL_EVENTS in endpoint.event_types,
        "revealed": False,
        "test_view": None,
        "error": None,
    }


@router.get("/endpoints/{endpoint_id}")
async def endpoint_page(
    request: Request, endpoint_id: str, user: SignedIn, services: ServicesDep
) -> Response:
    endpoint = await load_endpoint(services, user, endpoint_id)
    context = await endpoint_context(services, user, endpoint)
    test_id = request.query_params.get("teste")
    if test_id:
        context["test_view"] = await load_test_view(
            request, services, user, endpoint.id, test_id
        )
    context["notice"] = ACTION_MESSAGES.get(request.query_params.get("feito", ""))
    return render(request, "endpoint.html", context, user=user)


@router.get("/endpoints/{endpoint_id}/editar")
async def edit_endpoint_page(
    request: Request, endpoint_id: str, user: SignedIn, services: ServicesDep
) -> Response:
    endpoint = await load_endpoint(services, user, endpoint_id)
    typed = EndpointForm(
        url=endpoint.url,
        description=endpoint.description,
        events=list(endpoint.event_types),
    )
    return render(
        request, "endpoint_form.html", {"form": typed, "endpoint": endpoint}, user=user
    )


@router.post("/endpoints/{endpoint_id}/editar")
async def update_endpoint(
    request: Request, endpoint_id: str, user: CheckedPost, services: ServicesDep
) -> Response:
    endpoint = await load_endpoint(services, user, endpoint_id)
    typed = read_endpoint_form(await request.form())
    await check_endpoint_form(services, typed)
    if typed.errors:
        return render(
            request,
            "endpoint_form.html",
            {"form": typed, "endpoint": endpoint},
            user=user,
            status_code=422,
        )
    async with services.database.transaction() as tx:
        updated = await endpoint_store.update_endpoint(
            tx,
            user.account.id,
            endpoint_id,
            {
                "url": typed.url,
                "description": typed.description,
                "event_types": typed.events,
            },
            services.clock.now(),
        )
    if updated is None:
        raise PageNotFoundError
    logger.info(
        "webhook endpoint changed from the panel endpoint_id=%s",
        endpoint_id,
        extra={"action": "panel.endpoint_changed"},
    )
    return RedirectResponse(
        f"{endpoint_path(endpoint_id)}?feito=endpoint-alterado", status_code=303
    )


@router.post("/endpoints/{endpoint_id}/segredo")
async def reveal_secret(
    request: Request, endpoint_id: str, user: CheckedPost, services: ServicesDep
) -> Response:
    """Show the secret, on request only: it is never in the page until asked."""
    endpoint = await load_endpoint(services, user, endpoint_id)
    logger.info(
        "endpoint secret shown in the panel endpoint_id=%s",
        endpoint_id,
        extra={"action": "panel.secret_revealed"},
    )
    if is_htmx(request):
        return render(
            request,
            "_secret.html",
            {"endpoint": endpoint, "revealed": True},
            user=user,
        )
    context = await endpoint_context(services, user, endpoint)
    context.update(revealed=True, notice=None)
    return render(request, "endpoint.html", context, user=user)


@router.post("/endpoints/{endpoint_id}/trocar-segredo")
async def rotate_secret(
    request: Request, endpoint_id: str, user: CheckedPost, services: ServicesDep
) -> Response:
    form = await request.form()
    try:
        hours = int(form_text(form, "grace_period_hours"))
    except ValueError:
        hours = -1
    if hours not in {choice for choice, _ in GRACE_CHOICES}:
        current = await load_endpoint(services, user, endpoint_id)
        context = await endpoint_context(services, user, current)
        context.update(
            notice=None,
            error="Escolha por quanto tempo o segredo atual continua valendo.",
        )
        return render(request, "endpoint.html", context, user=user, status_code=422)

    now = services.clock.now()
    async with services.database.transaction() as tx:
        rotated = await endpoint_store.rotate_secret(
            tx, user.account.id, endpoint_id, grace=timedelta(hours=hours), now=now
        )
    if rotated is None:
        raise PageNotFoundError
    logger.info(
        "endpoint secret rotated from the panel endpoint_id=%s grace_hours=%s",
        endpoint_id,
        hours,
        extra={"action": "panel.secret_rotated"},
    )
    context = await endpoint_context(services, user, rotated)
    context.update(
        revealed=True,
        notice="Novo segredo criado. Copie-o abaixo e coloque no seu sistema."
        + (
            " O segredo anterior continua valendo até a data indicada."
            if hours
            else " O segredo anterior já não vale mais."
        ),
    )
    return render(request, "endpoint.html", context, user=user)


async def set_enabled(
    endpoint_id: str, enabled: bool, user: PanelUser, services: Services
) -> Response:
    async with services.database.transaction() as tx:
        endpoint = await endpoint_store.update_endpoint(
            tx,
            user.account.id,
            endpoint_id,
            {"enabled": enabled},
            services.clock.now(),
        )
    if endpoint is None:
        raise PageNotFoundError
    logger.info(
        "webhook endpoint %s from the panel endpoint_id=%s",
        "enabled" if enabled else "disabled",
        endpoint_id,
        extra={
            "action": "panel.endpoint_enabled" if enabled else "panel.endpoint_disabled"
        },
    )
    done = "endpoint-ativado" if enabled else "endpoint-desativado"
    return RedirectResponse(
        f"{endpoint_path(endpoint_id)}?feito={done}", status_code=303
    )


@router.post("/endpoints/{endpoint_id}/ativar")
async def enable_endpoint(
    endpoint_id: str, user: CheckedPost, services: ServicesDep
) -> Response:
    return await set_enabled(endpoint_id, True, user, services)


@router.post("/endpoints/{endpoint_id}/desativar")
async def disable_endpoint(
    endpoint_id: str, user: CheckedPost, services: ServicesDep
) -> Response:
    return await set_enabled(endpoint_id, False, user, services)


@router.get("/endpoints/{endpoint_id}/excluir")
async def delete_endpoint_page(
    request: Request, endpoint_id: str, user: SignedIn, services: ServicesDep
) -> Response:
    endpoint = await load_endpoint(services, user, endpoint_id)
    return render(request, "endpoint_delete.html", {"endpoint": endpoint}, user=user)


@router.post("/endpoints/{endpoint_id}/excluir")
async def delete_endpoint(
    endpoint_id: str, user: CheckedPost, services: ServicesDep
) -> Response:
    async with services.database.transaction() as tx:
        deleted = await endpoint_store.delete_endpoint(
            tx, user.account.id, endpoint_id, services.clock.now()
        )
    if not deleted:
        raise PageNotFoundError
    logger.info(
        "webhook endpoint deleted from the panel endpoint_id=%s",
        endpoint_id,
        extra={"action": "panel.endpoint_deleted"},
    )
    return RedirectResponse(f"{PANEL_HOME}?feito=endpoint-excluido", status_code=303)


async def load_test_view(
    request: Request,
    services: Services,
    user: PanelUser,
    endpoint_id: str,
    delivery_id: str,
) -> dict[str, Any]:
    view = await load_delivery(services, user, delivery_id)
    if view["delivery"].endpoint_id != endpoint_id:
        raise PageNotFoundError
    return {**view, **poll_context(request, view["awaiting"])}


@router.post("/endpoints/{endpoint_id}/teste")
async def send_test_event(
    request: Request, endpoint_id: str, user: CheckedPost, services: ServicesDep
) -> Response:
    """Send the catalog example of the chosen type as a real delivery."""
    form = await request.form()
    endpoint = await load_endpoint(services, user, endpoint_id)
    event_type = EVENT_TYPES.get(form_text(form, "type"))
    problem = None
    if event_type is None:
        problem = "Escolha um tipo de evento da lista."
    elif not endpoint.enabled:
        problem = "Este endpoint está desativado. Ative-o para enviar um teste."
    if problem is not None or event_type is None:
        if is_htmx(request):
            return render(request, "_test_result.html", {"problem": problem}, user=user)
        context = await endpoint_context(services, user, endpoint)
        context.update(notice=None, error=problem)
        return render(request, "endpoint.html", context, user=user, status_code=409)

    async with services.database.transaction() as tx:
        published = await publish_event(
            tx,
            account_id=user.account.id,
            event_type=event_type.name,
            data=event_type.example,
            now=services.clock.now(),
            only_endpoint_id=endpoint.id,
        )
    delivery_id = published.delivery_ids[0]
    logger.info(
        "test event sent from the panel endpoint_id=%s delivery_id=%s",
        endpoint_id,
        delivery_id,
        extra={"action": "panel.test_sent"},
    )
    if not is_htmx(request):
        return RedirectResponse(
            f"{endpoint_path(endpoint_id)}?teste={delivery_id}", status_code=303
        )
    test_view = await load_test_view(request, services, user, endpoint_id, delivery_id)
    return render(
        request,
        "_test_result.html",
        {"test_view": test_view, "problem": None},
        user=user,
    )


@router.get("/endpoints/{endpoint_id}/teste/{delivery_id}")
async def test_result(
    request: Request,
    endpoint_id: str,
    delivery_id: str,
    user: SignedIn,
    services: ServicesDep,
) -> Response:
    """The test's outcome so far; asks to be fetched again while it is on its way."""
    test_view = await load_test_view(request, services, user, endpoint_id, delivery_id)
    response = render(
        request,
        "_test_result.html",
        {"test_view": test_view, "problem": None},
        user=user,
    )
    if not test_view["awaiting"]:
        # The endpoint page refreshes its list of recent deliveries on this event.
        response.headers["HX-Trigger"] = "entrega-concluida"
    return response


@router.get("/endpoints/{endpoint_id}/entregas-recentes")
async def recent_deliveries(
    request: Request, endpoint_id: str, user: SignedIn, services: ServicesDep
) -> Response:
    endpoint = await load_endpoint(services, user, endpoint_id)
    context = await endpoint_context(services, user, endpoint)
    return render(request, "_recent_deliveries.html", context, user=user)
