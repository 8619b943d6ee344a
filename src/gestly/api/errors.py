"""API errors and how they reach the client.

Every error is JSON ``{"error": {"code", "message", "field"}}`` with a 4xx status;
``field`` names the request field at fault, or is null. Foreign exceptions are turned
into these at the boundary (request validation, bad JSON, unknown routes), so bad input
never reaches the client as a 500.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An error answered to the client as it is."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    status_code = 401
    code = "unauthorized"


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class Conflict(ApiError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "payload_too_large"


class Unprocessable(ApiError):
    status_code = 422
    code = "validation_error"


def error_body(code: str, message: str, field: str | None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(
    status_code: int, code: str, message: str, field: str | None = None
) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    return JSONResponse(
        error_body(code, message, field), status_code=status_code, headers=headers
    )


def field_name(location: tuple[Any, ...]) -> str | None:
    """``("body", "events", 0)`` → ``"events[0]"``; the location's first part goes."""
    parts = [part for part in location[1:] if not isinstance(part, int)]
    name = ".".join(str(part) for part in parts)
    for index in (part for part in location[1:] if isinstance(part, int)):
        name += f"[{index}]"
    return name or None


def describe_validation_error(error: dict[str, Any]) -> tuple[str, str, str | None]:
    location = tuple(error.get("loc", ()))
    field = field_name(location)
    kind = error.get("type", "")
    if kind == "json_invalid":
        return "invalid_json", "the request body is not valid JSON", None
    if location == ("body",):
        if kind == "missing":
            return "validation_error", "the request needs a JSON object body", None
        return "validation_error", "the request body must be a JSON object", None
    if kind == "missing":
        return "validation_error", f"{field} is required", field
    if kind == "extra_forbidden":
        return "validation_error", f"{field} is not a known field", field
    message = error.get("msg", "is invalid")
    received = error.get("input")
    if received is not None and not isinstance(received, dict | list):
        shown = repr(received)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return "validation_error", f"{field}: {message} (got {shown})", field
    return "validation_error", f"{field}: {message}", field


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def on_api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(
        _request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        code, message, field = describe_validation_error(dict(exc.errors()[0]))
        status = 400 if code == "invalid_json" else 422
        return error_response(status, code, message, field)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(
        _request: Request, exc: StarletteHTTPException
    ) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # FastAPI's words for a body it could not decode (not UTF-8, say).
            return error_response(
                400, "invalid_json", "the request body is not valid UTF-8 JSON"
            )
        codes = {404: "not_found", 405: "method_not_allowed"}
        return error_response(
            exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
        )

    @app.exception_handler(Exception)
    async def on_unexpected_error(_request: Request, _exc: Exception) -> JSONResponse:
        # A bug, not the caller's fault; the traceback goes to the log, not to them.
        return error_response(
            500, "internal_error", "something went wrong on our side; try again"
        )
