"""Signing in and out of the panel.

An unknown email costs the same Argon2 verification as a wrong password (against a
hash made once per process), so timing does not tell which emails have accounts.
Verification runs in a thread: it takes tens of milliseconds of CPU.
"""

import asyncio
import logging
import math
import secrets
from functools import cache

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from gestly.api.dependencies import ServicesDep
from gestly.panel.access import (
    PANEL_HOME,
    CheckedPost,
    check_csrf,
    clear_session_cookie,
    form_text,
    read_session,
    safe_return_path,
    set_session_cookie,
)
from gestly.panel.rendering import render
from gestly.panel.security import LoginThrottle
from gestly.panel.sessions import new_session
from gestly.panel.texts import ACTION_MESSAGES, LOGIN_FAILED, LOGIN_THROTTLED
from gestly.passwords import hash_password, verify_password
from gestly.storage.accounts import find_login

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

MAX_EMAIL_CHARS = 320
MAX_PASSWORD_CHARS = 1024


@cache
def stand_in_hash() -> str:
    """A hash no password matches, verified when the email is unknown."""
    return hash_password(secrets.token_urlsafe(32))


def login_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.panel_login_throttle
    return throttle


async def password_matches(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        await asyncio.to_thread(lambda: verify_password(stand_in_hash(), password))
        return False
    return await asyncio.to_thread(verify_password, password_hash, password)


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/painel", status_code=307)


@router.get("/painel")
async def panel_home() -> RedirectResponse:
    return RedirectResponse(PANEL_HOME, status_code=303)


@router.get("/painel/entrar")
async def sign_in_page(request: Request, services: ServicesDep) -> Response:
    session = read_session(request, services)
    return_to = safe_return_path(request.query_params.get("proximo"))
    if session is not None and session.account_id is not None:
        return RedirectResponse(return_to, status_code=303)
    if session is None:
        session = new_session(None, services.clock.now())
    notice = ACTION_MESSAGES.get(request.query_params.get("feito", ""))
    response = render(
        request,
        "sign_in.html",
        {"email": "", "error": None, "notice": notice, "return_to": return_to},
        session=session,
    )
    set_session_cookie(response, session, services)
    return response


@router.post("/painel/entrar")
async def sign_in(request: Request, services: ServicesDep) -> Response:
    session = read_session(request, services)
    form = await check_csrf(request, session)
    assert session is not None, "check_csrf refuses a request without a session"
    email = form_text(form, "email").strip()[:MAX_EMAIL_CHARS]
    password = form_text(form, "password")[:MAX_PASSWORD_CHARS]
    return_to = safe_return_path(form_text(form, "proximo"))
    address = request.client.host if request.client else "unknown"
    throttle = login_throttle(request)
    now = services.clock.now()

    def refuse(message: str, status_code: int) -> Response:
        return render(
            request,
            "sign_in.html",
            {"email": email, "error": message, "notice": None, "return_to": return_to},
            session=session,
            status_code=status_code,
        )

    wait = throttle.wait_needed(email, address, now)
    if wait is not None:
        logger.warning(
            "sign-in refused: too many failures",
            extra={"action": "panel.sign_in_throttled"},
        )
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        return refuse(LOGIN_THROTTLED.format(minutes=minutes), 429)

    async with services.database.read() as connection:
        login = await find_login(connection, email) if email else None
    matched = await password_matches(
        login.password_hash if login is not None else None, password
    )
    if login is None or not matched:
        throttle.record_failure(email, address, now)
        logger.info(
            "sign-in refused: wrong email or password",
            extra={"action": "panel.sign_in_refused"},
        )
        return refuse(LOGIN_FAILED, 401)

    throttle.record_success(email)
    logger.info(
        "signed in to the panel account_id=%s",
        login.account.id,
        extra={"action": "panel.signed_in"},
    )
    response = RedirectResponse(return_to, status_code=303)
    set_session_cookie(response, new_session(login.account.id, now), services)
    return response


@router.post("/painel/sair")
async def sign_out(user: CheckedPost, services: ServicesDep) -> Response:
    logger.info(
        "signed out of the panel account_id=%s",
        user.account.id,
        extra={"action": "panel.signed_out"},
    )
    response = RedirectResponse("/painel/entrar?feito=saiu", status_code=303)
    clear_session_cookie(response, services)
    return response
