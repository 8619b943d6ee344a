"""Who is using the panel: the session cookie, the signed-in account, CSRF checks.

Routes declare what they need as a dependency: ``SignedIn`` for pages, ``CheckedPost``
for forms (signed in, right CSRF token, same origin). Failures are raised as the
exceptions below and turned into pages by ``install_error_pages``.
"""

import logging
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from gestly.api.dependencies import Services, ServicesDep
from gestly.panel.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    csrf_token_matches,
    same_origin,
)
from gestly.panel.sessions import (
    COOKIE_NAME,
    COOKIE_PATH,
    SESSION_MAX_AGE,
    PanelSession,
    decode_session,
    encode_session,
)
from gestly.storage.accounts import Account, get_account
from gestly.storage.panel_queries import get_time_zone

logger = logging.getLogger(__name__)

PANEL_HOME = "/painel/configuracoes/api-e-webhooks"
SIGN_IN_PATH = "/painel/entrar"


class SignInRequiredError(Exception):
    """No live session: the visitor goes to the sign-in page, then comes back."""

    def __init__(self, return_to: str, *, expired: bool) -> None:
        super().__init__(return_to)
        self.return_to = return_to
        self.expired = expired


class PageNotFoundError(Exception):
    """Nothing at this address for this account: the same page as a wrong URL."""


class CsrfRefusedError(Exception):
    """A POST without the session's CSRF token, or from another origin."""


@dataclass(frozen=True, slots=True)
class PanelUser:
    account: Account
    session: PanelSession
    time_zone: str


def read_session(request: Request, services: Services) -> PanelSession | None:
    return decode_session(
        request.cookies.get(COOKIE_NAME),
        services.settings.secret_key,
        services.clock.now(),
    )


def set_session_cookie(
    response: Response, session: PanelSession, services: Services
) -> None:
    response.set_cookie(
        COOKIE_NAME,
        encode_session(session, services.settings.secret_key),
        max_age=int(SESSION_MAX_AGE.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=not services.settings.development,
    )


def clear_session_cookie(response: Response, services: Services) -> None:
    response.delete_cookie(
        COOKIE_NAME,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=not services.settings.development,
    )


def safe_return_path(candidate: str | None) -> str:
    """Where to go after sign-in: only a panel path, never another site."""
    if (
        candidate
        and candidate.startswith("/painel")
        and not candidate.startswith("//")
        and "\\" not in candidate
        and not candidate.startswith(SIGN_IN_PATH)
    ):
        return candidate
    return PANEL_HOME


def sign_in_url(return_to: str, *, expired: bool) -> str:
    url = f"{SIGN_IN_PATH}?proximo={quote(return_to, safe='/')}"
    return url + "&feito=sessao-expirada" if expired else url


async def signed_in_user(request: Request, services: ServicesDep) -> PanelUser:
    session = read_session(request, services)
    # After sign-in the visitor comes back to the page, never to a form's target.
    return_to = request.url.path if request.method == "GET" else PANEL_HOME
    if request.url.query and request.method == "GET":
        return_to += "?" + request.url.query
    if session is None or session.account_id is None:
        raise SignInRequiredError(
            return_to, expired=COOKIE_NAME in request.cookies and session is None
        )
    async with services.database.read() as connection:
        account = await get_account(connection, session.account_id)
        time_zone = await get_time_zone(connection, session.account_id)
    if account is None:
        raise SignInRequiredError(return_to, expired=True)
    return PanelUser(account=account, session=session, time_zone=time_zone)


SignedIn = Annotated[PanelUser, Depends(signed_in_user)]


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return "" if value is None or isinstance(value, UploadFile) else value


async def check_csrf(request: Request, session: PanelSession | None) -> FormData:
    """Refuse the POST unless it carries the session's token and is same-origin.

    Returns the parsed form, which the route reads again for free.
    """
    form = await request.form()
    given = request.headers.get(CSRF_HEADER) or form_text(form, CSRF_FIELD)
    if not same_origin(request) or not csrf_token_matches(session, given):
        logger.warning(
            "refused a panel form without a valid CSRF token or from another origin",
            extra={"action": "panel.csrf_refused"},
        )
        raise CsrfRefusedError
    return form


async def checked_post(request: Request, user: SignedIn) -> PanelUser:
    await check_csrf(request, user.session)
    return user


CheckedPost = Annotated[PanelUser, Depends(checked_post)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
