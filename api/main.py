"""The FastAPI application: routers, error mapping and start-up, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors
from api.limits import BodyLimit
from api.pages import pages_router
from api.proxies import TrustedProxies, parse_networks
from api.routes import (
    agreements,
    applications,
    attendance,
    auth,
    calls,
    communes,
    conflicts,
    documents,
    exports,
    final_reports,
    funders,
    funding,
    health,
    letters,
    notifications,
    opendata,
    opinions,
    organisations,
    outbox,
    payments,
    public,
    report_documents,
    rules,
    sessions,
    statistics,
    users,
)
from api.security import SecurityHeaders
from engine.services import production
from engine.services.letters import stop_render_workers
from engine.settings import get_settings
from engine.startup import warm_up

STATIC = Path(__file__).resolve().parent / "static"


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    warm_up()  # reference data read once, and kept out of the garbage collector's way
    try:
        yield
    finally:
        # Letters still being produced in the background: the job being stored ends, the others
        # go back to the queue (the next start or the scheduler produces them)…
        production.stop()
        stop_render_workers()  # …and the rendering worker processes end too


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
    # Outermost last: addresses are settled first, bodies bounded before anything reads them,
    # and every answer (a 413 included) gets the security headers.
    app.add_middleware(
        BodyLimit,
        upload_max_bytes=settings.upload_max_bytes,
        body_max_bytes=settings.body_max_bytes,
    )
    app.add_middleware(SecurityHeaders, https=settings.base_url.startswith("https://"))
    app.add_middleware(TrustedProxies, networks=parse_networks(settings.trusted_proxies))
    errors.install(app)
    routers = (
        health.router,
        auth.router,
        rules.router,
        funders.router,
        calls.router,
        applications.router,
        opinions.router,
        sessions.router,
        attendance.router,
        conflicts.router,
        letters.router,
        documents.router,
        notifications.router,
        outbox.router,
        users.router,
        organisations.router,
        communes.router,
        payments.router,
        final_reports.router,
        report_documents.router,
        agreements.router,
        funding.router,
        statistics.router,
        exports.router,
        public.router,
        opendata.router,
    )
    for router in routers:
        # Every operation may answer 400 (a body that cannot be parsed), 413 (a body over the
        # limit, refused before any route: api/limits.py), 422 (our error shape, not FastAPI's
        # default) and 503 (the database out of reach for a moment); routes declare their other
        # errors themselves.
        app.include_router(
            router, prefix="/api/v1", responses=errors.error_responses(400, 413, 422, 503)
        )
    # The HTML pages (cookie sessions, CSRF-checked forms) and their vendored static files.
    app.include_router(pages_router())
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
