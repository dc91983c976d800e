"""Maps every expected error to JSON `{"detail", "code"}` with the right status, never a 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import ServiceError
from engine.rulebook import InvalidInput, ParameterGap

log = logging.getLogger("cofinance.access")

# Declared on routes so the OpenAPI document (and clients generated from it) know them.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["detail", "code"],
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"description": "Error", "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for status in statuses
    }


def _body(detail: str, code: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors is not None:
        body["errors"] = errors
    return body


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(tuple(e["loc"])), "message": str(e["msg"]).removeprefix("Value error, ")}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONResponse(status_code=422, content=_body(detail, "invalid_input", errors))


async def _invalid_input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return JSONResponse(status_code=422, content=_body(str(exc), "invalid_input", errors))


async def _parameter_gap(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=422, content=_body(str(exc), "parameter_gap"))


async def _service(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    if exc.status == 403:
        actor = getattr(request.state, "actor", None)
        log.warning(
            "refused: user=%s role=%s %s %s: %s",
            getattr(actor, "id", None),
            getattr(actor, "role", None),
            request.method,
            request.url.path,
            exc.detail,
        )
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(
        status_code=exc.status, content=_body(exc.detail, exc.code), headers=headers
    )


async def _stale(_: Request, exc: Exception) -> JSONResponse:
    # Another request changed the row between our read and our write (version column).
    return JSONResponse(
        status_code=409,
        content=_body("changed by someone else meanwhile: reload and try again", "stale_version"),
    )


async def _out_of_range(_: Request, exc: Exception) -> JSONResponse:
    # A value the database cannot store (an id beyond its integer range, a NUL character…)
    # is bad input, not a server fault.
    return JSONResponse(
        status_code=422,
        content=_body("a value is out of the range the database can store", "invalid_input"),
    )


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = getattr(exc, "code", None) or {
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
        content=_body(str(exc.detail), code),
        headers=getattr(exc, "headers", None),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(ParameterGap, _parameter_gap)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ServiceError, _service)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(OverflowError, _out_of_range)
