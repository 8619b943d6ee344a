"""The ASGI application: the ``/v1`` API (and, mounted beside it, the panel)."""

from typing import Any

from fastapi import FastAPI

from gestly import __version__
from gestly.api.dependencies import Services
from gestly.api.errors import install_error_handlers
from gestly.api.middleware import RequestRulesMiddleware
from gestly.api.routes import (
    appointments,
    business,
    customers,
    event_types,
    events,
    listen,
    loyalty,
    reviews,
    webhook_deliveries,
    webhook_endpoints,
)
from gestly.panel import install_panel

ROUTERS = (
    business.router,
    customers.router,
    appointments.router,
    reviews.router,
    loyalty.router,
    event_types.router,
    webhook_endpoints.router,
    events.router,
    webhook_deliveries.router,
    listen.router,
)


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="Gestly API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/v1/openapi.json",
    )
    app.state.services = services
    install_error_handlers(app)
    app.add_middleware(RequestRulesMiddleware)
    for router in ROUTERS:
        app.include_router(router)
    install_panel(app)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, Any]:
        async with services.database.read() as connection:
            await connection.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    return app
