"""The FastAPI application: routers, error mapping and start-up, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.routes import applications, auth, calls, funders, health, letters, rules, sessions
from api.security import SecurityHeaders
from engine.rulebook import default_registry
from engine.settings import get_settings


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    default_registry()  # load rule modules and parameters once, and fail fast if inconsistent
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="cofinance",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if settings.api_docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.api_docs else None,
    )
    app.add_middleware(SecurityHeaders, https=settings.base_url.startswith("https://"))
    errors.install(app)
    routers = (
        health.router,
        auth.router,
        rules.router,
        funders.router,
        calls.router,
        applications.router,
        sessions.router,
        letters.router,
    )
    for router in routers:
        app.include_router(router, prefix="/api/v1")
    return app
