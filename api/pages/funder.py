"""A funder's pages: the inbox of files asking it for money, and its envelope per call."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages import reads
from api.pages.charts import gauge
from api.pages.files import funder_names, my_funder_code
from api.pages.web import PageActor, PageRoute, Pagination, page_number, render
from engine.access import Actor, require_role
from engine.db import Database
from engine.services import calls
from engine.services.reports import envelopes_of_call
from workflows.application import APPLICATION

router = APIRouter(route_class=PageRoute)


def calls_for(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Every call, or for a funder the calls it takes part in (newest deadline first)."""
    mine = my_funder_code(db, actor)
    with db.reading() as session:
        every = [reads.call(session, c) for c in calls.list_calls_in(session)]
    if mine is None:
        return every
    return [c for c in every if any(f["funder"] == mine for f in c["funders"])]


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def inbox(
    request: Request,
    db: Database,
    actor: Actor,
    appel: str | None,
    etat: str | None,
    page: str | None,
    template: str,
) -> Response:
    """Files filtered by call and state, a page at a time (the funder's and the chair's lists)."""
    state = etat if etat in APPLICATION.state_ids() else None
    pagination = Pagination(page_number(page), 0)
    listing = reads.applications(db, actor, _int(appel), state, pagination.offset, pagination.size)
    pagination = Pagination(pagination.page, listing["total"])
    the_calls = calls_for(db, actor)
    mine = my_funder_code(db, actor)
    for item in listing["items"]:
        item["my_share"] = next((s for s in item["shares"] if s["funder"] == mine), None)
    return render(
        request,
        template,
        {
            "items": listing["items"],
            "pagination": pagination,
            "calls": the_calls,
            "call_titles": {c["id"]: c["title"] for c in the_calls},
            "states": [(s.id, s.label) for s in APPLICATION.states],
            "chosen_call": appel or "",
            "chosen_state": state or "",
            "funder_names": funder_names(db),
        },
        actor=actor,
    )


@router.get("/financeur/dossiers")
def funder_inbox(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    appel: str | None = None,
    etat: str | None = None,
    page: str | None = None,
) -> Response:
    require_role(actor, "funder")
    return inbox(request, db, actor, appel, etat, page, "inbox.html")


@router.get("/financeur/enveloppes")
def envelopes(
    request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None
) -> Response:
    require_role(actor, "funder")
    names = funder_names(db)
    every = calls_for(db, actor)
    pagination = Pagination(page_number(page), len(every))
    rows = []
    for call in pagination.slice(every):
        for use in envelopes_of_call(db, actor, call["id"]):
            rows.append(
                {
                    "call": call,
                    "use": use,
                    "gauge": gauge(
                        names.get(use.funder, use.funder), use.envelope, use.granted, use.proposed
                    ),
                }
            )
    return render(
        request,
        "funder/envelopes.html",
        {"rows": rows, "pagination": pagination},
        actor=actor,
    )
