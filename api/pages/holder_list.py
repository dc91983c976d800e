"""The holder's list of applications (« Mes demandes »)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages import reads
from api.pages.web import PageActor, PageRoute, Pagination, page_number, render
from engine.access import require_role
from engine.db import Database
from engine.services import calls

router = APIRouter(route_class=PageRoute)


@router.get("/demandes")
def my_applications(
    request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None
) -> Response:
    require_role(actor, "applicant")
    pagination = Pagination(page_number(page), 0)
    listing = reads.applications(db, actor, offset=pagination.offset, limit=pagination.size)
    pagination = Pagination(pagination.page, listing["total"])
    titles = _call_titles(db)
    for item in listing["items"]:
        item["total_requested"] = total_requested(item)
    return render(
        request,
        "holder/list.html",
        {"items": listing["items"], "pagination": pagination, "calls": titles},
        actor=actor,
    )


def total_requested(application: dict[str, Any]) -> Decimal:
    return sum((Decimal(s["requested"]) for s in application["shares"]), Decimal("0.00"))


def _call_titles(db: Database) -> dict[int, str]:
    with db.reading() as session:
        return {c.id or 0: c.title for c in calls.list_calls_in(session)}
