"""The HTML pages (jinja2, DSFR) for holders, funders, the chair and the administrator.

Thin like the JSON routes: parse the form, authorise, call the same service, render in French.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from api.pages import (
    admin,
    agreements,
    auth,
    chair,
    chair_follow_up,
    coverage,
    exports,
    files,
    final_report,
    funder,
    funder_payments,
    holder,
    opinions,
    public,
    report_documents,
    statistics,
)
from api.pages.web import PageRoute, remember_actor, settings_on_request


def pages_router() -> APIRouter:
    router = APIRouter(
        route_class=PageRoute,
        include_in_schema=False,
        default_response_class=HTMLResponse,
        dependencies=[Depends(settings_on_request), Depends(remember_actor)],
    )
    for module in (
        auth,
        holder,
        files,
        agreements,
        final_report,
        report_documents,
        funder,
        funder_payments,
        exports,
        chair,
        chair_follow_up,
        opinions,
        statistics,
        coverage,
        public,
        admin,
    ):
        router.include_router(module.router)
    return router
