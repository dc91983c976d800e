"""A funder's pages: the inbox of files asking it for money, and its envelope per call."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages import reads
from api.pages.charts import gauge
from api.pages.files import funder_names, my_funder_code
from api.pages.funder_csv import CSV_LIMIT, inbox_csv
from api.pages.plan_view import plan_status
from api.pages.web import PageActor, PageRoute, Pagination, page_number, render
from engine.access import Actor, require_role
from engine.db import Database
from engine.services import calls, queries
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


def _view(actor: Actor, raw: str | None) -> str:
    """The inbox view asked for; by default a funder sees the files it has to examine."""
    if raw in queries.INBOX_VIEWS:
        return raw
    return "a_instruire" if actor.role == "funder" else "tous"


def inbox_filters(
    request: Request, actor: Actor, appel: str | None, etat: str | None
) -> tuple[int | None, str | None, str, str]:
    """The list's filters as the page reads them (call, state, view, search), a wrong value
    ignored: the page and its exports read them alike."""
    state = etat if etat in APPLICATION.state_ids() else None
    view = _view(actor, request.query_params.get("vue"))
    search = (request.query_params.get("q") or "").strip()[:200]
    return _int(appel), state, view, search


def _listing(
    request: Request,
    db: Database,
    actor: Actor,
    appel: str | None,
    etat: str | None,
    offset: int,
    size: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The filtered files (one page) and the filters as chosen."""
    call_id, state, view, search = inbox_filters(request, actor, appel, etat)
    listing = reads.applications(
        db,
        actor,
        call_id,
        state,
        offset,
        size,
        view=None if view == "tous" else view,
        search=search or None,
    )
    mine = my_funder_code(db, actor)
    names = funder_names(db)
    for item in listing["items"]:
        item["my_share"] = next((s for s in item["shares"] if s["funder"] == mine), None)
        item["plan"] = plan_status(item, names)
    chosen = {"call": appel or "", "state": state or "", "view": view, "search": search}
    return listing, chosen


def inbox(
    request: Request,
    db: Database,
    actor: Actor,
    appel: str | None,
    etat: str | None,
    page: str | None,
    template: str,
) -> Response:
    """Files filtered by view (à instruire, en séance, décidés, tous), call, state and a search,
    a page at a time (the funder's and the chair's lists)."""
    pagination = Pagination(page_number(page), 0)
    listing, chosen = _listing(request, db, actor, appel, etat, pagination.offset, pagination.size)
    pagination = Pagination(pagination.page, listing["total"])
    the_calls = calls_for(db, actor)
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(
        request,
        template,
        {
            "items": listing["items"],
            "total": listing["total"],
            "pagination": pagination,
            "calls": the_calls,
            "call_titles": {c["id"]: c["title"] for c in the_calls},
            "states": [(s.id, s.label) for s in APPLICATION.states],
            "views": list(queries.INBOX_VIEWS.items()),
            "chosen_call": chosen["call"],
            "chosen_state": chosen["state"],
            "chosen_view": chosen["view"],
            "search": chosen["search"],
            "csv_query": urlencode({**query, "vue": chosen["view"]}),
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


@router.get("/financeur/dossiers.csv")
def funder_inbox_csv(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    appel: str | None = None,
    etat: str | None = None,
) -> Response:
    """The filtered list as a spreadsheet: `;`-separated, UTF-8 with its BOM, decimal commas."""
    require_role(actor, "funder")
    listing, _ = _listing(request, db, actor, appel, etat, 0, CSV_LIMIT)
    titles = {c["id"]: c["title"] for c in calls_for(db, actor)}
    content = inbox_csv(listing["items"], titles)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="dossiers.csv"'},
    )


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
