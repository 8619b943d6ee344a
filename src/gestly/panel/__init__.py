"""The Gestly panel (pt-BR), served by the API's process under ``/painel``.

Server-rendered Jinja2 pages with htmx (vendored in ``static/``; nothing is fetched
from the internet). ``install_panel`` mounts everything on the API's app: routes,
static files, the sign-in throttle and the error pages.
"""

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from gestly.panel import api_and_webhooks, sign_in, webhook_logs
from gestly.panel.access import (
    CsrfRefusedError,
    PageNotFoundError,
    SignInRequiredError,
    is_htmx,
    sign_in_url,
    signed_in_user,
)
from gestly.panel.rendering import render
from gestly.panel.security import LoginThrottle
from gestly.panel.texts import CSRF_REFUSED

__all__ = ["install_panel"]

STATIC_DIR = Path(__file__).parent / "static"

fallback = APIRouter(include_in_schema=False)


@fallback.get("/painel/{rest:path}")
async def unknown_page(rest: str) -> Response:
    raise PageNotFoundError


async def error_page(
    request: Request, template: str, context: dict[str, object], status_code: int
) -> Response:
    """An error page, inside the signed-in frame when there is a session."""
    try:
        user = await signed_in_user(request, request.app.state.services)
    except SignInRequiredError:
        user = None
    return render(request, template, context, user=user, status_code=status_code)


def install_panel(app: FastAPI) -> None:
    app.state.panel_login_throttle = LoginThrottle()
    app.mount("/painel/static", StaticFiles(directory=STATIC_DIR), name="panel-static")
    app.include_router(sign_in.router)
    app.include_router(api_and_webhooks.router)
    app.include_router(webhook_logs.router)
    app.include_router(fallback)

    @app.exception_handler(SignInRequiredError)
    async def on_sign_in_required(
        request: Request, exc: SignInRequiredError
    ) -> Response:
        target = sign_in_url(exc.return_to, expired=exc.expired)
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(PageNotFoundError)
    async def on_page_not_found(request: Request, _exc: PageNotFoundError) -> Response:
        return await error_page(request, "not_found.html", {}, 404)

    @app.exception_handler(CsrfRefusedError)
    async def on_csrf_refused(request: Request, _exc: CsrfRefusedError) -> Response:
        return await error_page(
            request, "forbidden.html", {"message": CSRF_REFUSED}, 403
        )
