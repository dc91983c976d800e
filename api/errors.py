"""Maps every expected error to JSON `{"detail", "code"}` with the right status, never a 500."""

from __future__ import annotations

import errno
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.models.errors import ErrorOut
from engine.errors import (
    Conflict,
    Forbidden,
    InsufficientStorage,
    NotFound,
    ServiceError,
    TooManyAttempts,
    Unauthenticated,
)
from engine.messages import from_pydantic, render
from engine.rulebook import FieldError, InvalidInput, ParameterGap
from engine.rulebook.text import shown
from engine.settings import get_settings

log = logging.getLogger("cofinance.access")
errors_log = logging.getLogger("cofinance.errors")
FULL_DISK = frozenset({errno.ENOSPC, errno.EDQUOT})

# What each error status means here; declared on routes with the one error shape (ErrorOut) so
# the OpenAPI document (and clients generated from it) know them.
MEANINGS = {
    400: "The body cannot be parsed",
    401: "No token, or a bad or expired one",
    403: "Not yours: the role or the membership does not allow it",
    404: "No such resource (or not one you may see)",
    409: "Wrong state, stale version, deadline passed or duplicate",
    413: "The request body is too large",
    422: "Invalid input: `errors` names each field at fault",
    429: "Too many attempts: retry after the `Retry-After` delay",
    503: "The database is unavailable for a moment: retry shortly",
    507: "Storage is full: nothing was saved",
}


# The HTTP status of each service error: by its code first, else by its class (the engine
# carries none).
STATUS_BY_CODE: dict[str, int] = {}
STATUS_BY_CLASS: dict[type[ServiceError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    TooManyAttempts: 429,
    Unauthenticated: 401,
    InsufficientStorage: 507,
}


def status_of(exc: ServiceError) -> int:
    if exc.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[exc.code]
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_CLASS:
            return STATUS_BY_CLASS[cls]  # type: ignore[index]
    return 400


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": ErrorOut, "description": MEANINGS.get(status, "Error")}
        for status in statuses
    }


def _body(detail: str, code: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """`{"detail": <French sentence>, "code", "errors"?: [{field, code, message}]}`."""
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors is not None:
        body["errors"] = errors
    return body


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    # A refused key (`{"\ud800": 1}`) is part of the path: keep the answer encodable.
    return shown(".".join(parts)) or "body"


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [FieldError.of(_field(tuple(e["loc"])), from_pydantic(e)) for e in exc.errors()]
    return JSONResponse(status_code=422, content=invalid_body(fields))


def invalid_body(fields: list[FieldError]) -> dict[str, Any]:
    """The 422 body: every field at fault with its code and its French message."""
    errors = [
        {"field": shown(e.field), "code": e.code, "message": shown(e.message)} for e in fields
    ]
    detail = " ; ".join(f"{e['field']} : {e['message']}" for e in errors)
    return _body(detail or render("invalid_input"), "invalid_input", errors)


async def _invalid_input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return JSONResponse(status_code=422, content=invalid_body(exc.errors))


async def _parameter_gap(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ParameterGap)
    return JSONResponse(status_code=422, content=_body(render(exc.code, exc.params), exc.code))


def log_refusal(request: Request, detail: str) -> None:
    """A refused authorisation, with who tried (the API's and the pages' alike)."""
    actor = getattr(request.state, "actor", None)
    log.warning(
        "refused: user=%s role=%s %s %s: %s",
        getattr(actor, "id", None),
        getattr(actor, "role", None),
        request.method,
        request.url.path,
        detail,
    )


async def _service(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    status = status_of(exc)
    if status == 403:
        log_refusal(request, exc.message_code)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(status_code=status, content=_body(exc.detail, exc.code), headers=headers)


async def _stale(_: Request, exc: Exception) -> JSONResponse:
    # Another request changed the row between our read and our write (version column).
    return JSONResponse(
        status_code=409,
        content=_body(render("stale_version"), "stale_version"),
    )


async def _collision(request: Request, exc: Exception) -> JSONResponse:
    # Two requests inserting the same unique line at once (two clicks, two screens): the
    # second is told to look again, like a version clash. Any other integrity failure is a
    # fault of ours, answered as such.
    orig = getattr(exc, "orig", None)
    unique = getattr(orig, "sqlstate", None) == "23505" or getattr(
        orig, "sqlite_errorname", None
    ) in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
    if unique:
        return await _stale(request, exc)
    return await _unexpected(request, exc)


async def _out_of_range(_: Request, exc: Exception) -> JSONResponse:
    # A value the database cannot store (an id beyond its integer range, a NUL character…)
    # is bad input, not a server fault.
    return JSONResponse(
        status_code=422,
        content=invalid_body([FieldError("body", "invalid_input.out_of_range")]),
    )


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    path = request.url.path
    if exc.status_code == 404 and not path.startswith(("/api/", "/static/", "/docs", "/openapi")):
        # A page address that does not exist gets a page, in French, like every other page.
        from api.pages.web import error_page

        if not hasattr(request.state, "settings"):
            # No page dependency ran for an unmatched address: resolve settings as they would.
            provider = request.app.dependency_overrides.get(get_settings, get_settings)
            request.state.settings = provider()
        return error_page(request, 404)
    code = getattr(exc, "code", None) or {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid_input",
        429: "too_many_requests",
    }.get(exc.status_code, "error")
    return JSONResponse(
        status_code=exc.status_code,
        content=_body(render(code), code),
        headers=getattr(exc, "headers", None),
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database cannot be reached (restarting, connection lost): the request did not apply,
    # the client may retry. The pool's pre-ping reconnects once the database is back.
    errors_log.warning(
        "database unavailable: %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return JSONResponse(
        status_code=503,
        content=_body(render("unavailable"), "unavailable"),
        headers={"Retry-After": "5"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Anything else: logged here with its traceback, answered without any detail."""
    if isinstance(exc, OSError) and exc.errno in FULL_DISK:
        errors_log.error("disk full: %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            status_code=507,
            content=_body(render("insufficient_storage"), "insufficient_storage"),
        )
    errors_log.error("unexpected error: %s %s", request.method, request.url.path, exc_info=exc)
    # Answered outside the security headers middleware (Starlette's last resort): say nosniff.
    return JSONResponse(
        status_code=500,
        content=_body(render("internal_error"), "internal_error"),
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(ParameterGap, _parameter_gap)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ServiceError, _service)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(IntegrityError, _collision)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(InterfaceError, _unavailable)
    app.add_exception_handler(OSError, _unexpected)
    # The last resort (Starlette's ServerErrorMiddleware): a JSON 500, never a traceback.
    app.add_exception_handler(Exception, _unexpected)
