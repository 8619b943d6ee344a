"""Templates, the filters they use, and the headers every panel page carries.

Times are shown in the business's time zone (``business_settings.time_zone``), as
``04/12/2026 10:32``; the page footer names the zone.
"""

import json
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from gestly import __version__
from gestly.panel.access import PanelUser
from gestly.panel.sessions import PanelSession
from gestly.panel.texts import STATUS_HINTS, STATUS_LABELS, describe_failure
from gestly.storage.business import DEFAULT_TIME_ZONE
from gestly.storage.deliveries import DeliveryStatus
from gestly.webhooks.catalog import CATALOG, EVENT_TYPES, GROUPS

# No inline script or style anywhere in the panel, so the policy can forbid both.
SECURITY_HEADERS: Final = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
        "data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}

ZONE_NAMES: Final = {"America/Sao_Paulo": "horário de Brasília (America/Sao_Paulo)"}

EVENT_GROUPS: Final = [
    (group, [event for event in CATALOG if event.group == group]) for group in GROUPS
]


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def format_moment(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(zone_of(zone)).strftime("%d/%m/%Y %H:%M:%S")


def format_short_moment(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(zone_of(zone)).strftime("%d/%m/%Y %H:%M")


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def describe_relative(moment: datetime, now: datetime) -> str:
    """``há 5 minutos`` or ``em 2 horas``: how far ``moment`` is from ``now``, to
    the nearest unit (a retry due in 4 min 58 s reads "em 5 minutos")."""
    seconds = int((moment - now).total_seconds())
    future = seconds > 0
    seconds = abs(seconds)
    if seconds < 60:
        return "em instantes" if future else "agora há pouco"
    if seconds < 3600:
        amount = plural(max(1, (seconds + 30) // 60), "minuto", "minutos")
    elif seconds < 86400:
        amount = plural((seconds + 1800) // 3600, "hora", "horas")
    else:
        amount = plural((seconds + 43200) // 86400, "dia", "dias")
    return f"em {amount}" if future else f"há {amount}"


def pretty_json(text: str | bytes | None) -> str | None:
    """JSON text indented for reading; None if ``text`` is not JSON."""
    if text is None or text == "":
        return None
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return None


def event_description(name: str) -> str:
    event_type = EVENT_TYPES.get(name)
    return event_type.description if event_type is not None else name


def status_label(status: DeliveryStatus | str) -> str:
    return STATUS_LABELS[DeliveryStatus(status)]


def status_hint(status: DeliveryStatus | str) -> str:
    return STATUS_HINTS[DeliveryStatus(status)]


environment = Environment(
    loader=PackageLoader("gestly.panel", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals.update(
    version=__version__,
    event_groups=EVENT_GROUPS,
    event_description=event_description,
    status_label=status_label,
    status_hint=status_hint,
    describe_failure=describe_failure,
    describe_relative=describe_relative,
    pretty_json=pretty_json,
    plural=plural,
)
environment.filters.update(moment=format_moment, short_moment=format_short_moment)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: PanelUser | None = None,
    session: PanelSession | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``template``; ``user`` (or a pre-sign-in ``session``) fills the frame."""
    active = user.session if user is not None else session
    full_context = {
        "request": request,
        "user": user,
        "zone": user.time_zone if user is not None else DEFAULT_TIME_ZONE,
        "zone_name": ZONE_NAMES.get(
            user.time_zone if user is not None else DEFAULT_TIME_ZONE,
            user.time_zone if user is not None else DEFAULT_TIME_ZONE,
        ),
        "csrf_token": active.csrf_token if active is not None else "",
        **context,
    }
    html = environment.get_template(template).render(full_context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
