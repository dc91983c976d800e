"""The session screen, shared by the chair and the funders: the agenda (chair), convening and
opening, every plan and envelope live, each funder's decisions, and what the close waits for."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep, SettingsDep
from api.pages import reads
from api.pages.charts import gauge
from api.pages.files import call_view, funder_names, my_funder_code
from api.pages.french import FLAGS
from api.pages.session_attendance import add_attendance
from api.pages.session_conflicts import add_conflicts, conflict_marks
from api.pages.web import (
    PageActor,
    PageRoute,
    PostedForm,
    field_errors,
    form_text,
    redirect,
    render,
    transition_label,
)
from api.routes.sessions import pdf_response
from engine.access import Actor
from engine.db import Database
from engine.errors import Conflict
from engine.rulebook import InvalidInput
from engine.services import attendance, decisions, queries
from engine.services import sessions as service
from engine.services.opinions import session_opinions
from workflows.application import APPLICATION
from workflows.session import SESSION
from workflows.share import SHARE

router = APIRouter(route_class=PageRoute)
SCHEDULABLE = APPLICATION.tagged("schedulable")
UNDECIDED = SHARE.tagged("undecided")


def live_context(db: Database, actor: Actor, session_id: int) -> dict[str, Any]:
    view = reads.session(db, actor, session_id)
    envelopes = [
        {
            **use,
            "gauge": gauge(
                use["name"],
                Decimal(use["envelope"]),
                Decimal(use["granted"]),
                Decimal(use["proposed"]),
            ),
        }
        for use in view["envelopes"]
    ]
    titles = {c["id"]: c["title"] for c in (call_view(db, i) for i in view["call_ids"])}
    groups = [
        (titles.get(call_id, ""), [e for e in envelopes if e["call_id"] == call_id])
        for call_id in view["call_ids"]
    ]
    return {
        "meeting": view,
        "envelopes": envelopes,
        "envelope_groups": groups,
        "funder_names": funder_names(db),
        "flag_labels": FLAGS,
        "live": "live" in SESSION.state(view["state"]).tags,
        "viewer_funder": my_funder_code(db, actor),  # None for the chair and the administrator
        "conflict_marks": conflict_marks(db, actor, session_id),
        "opinions": session_opinions(db, actor, session_id),
    }


def _candidates(db: Database, actor: Actor, meeting: dict[str, Any]) -> list[dict[str, Any]]:
    """The files the chair may put on the agenda: those of every call of the session."""
    on_agenda = {a["id"] for a in meeting["agenda"]}
    found: list[dict[str, Any]] = []
    for call_id in meeting["call_ids"]:
        listing = reads.applications(db, actor, call_id, limit=500)
        found += [a for a in listing["items"] if a["state"] in SCHEDULABLE or a["id"] in on_agenda]
    for candidate in found:
        candidate["on_agenda"] = candidate["id"] in on_agenda
    return found


def _my_decisions(
    db: Database, actor: Actor, meeting: dict[str, Any], mine: str, correcting: str | None
) -> list[dict[str, Any]]:
    """My funder's shares on the agenda: a form for each undecided one (or the one being
    corrected), the decision taken in this session with a "Corriger" link for the others."""
    here = decisions.decided_here(db, actor, meeting["id"])
    found = []
    for item in meeting["agenda"]:
        share = next((s for s in item["shares"] if s["funder"] == mine), None)
        eligible = (item["eligibility"] or {}).get("status") == "eligible"
        if share is None or not eligible:
            continue
        saved = (item["id"], mine) in here
        if share["state"] in UNDECIDED and not saved:
            found.append(
                {"item": item, "share": share, "saved": False, "form": True, "funder": mine}
            )
        elif saved:
            form = correcting == str(item["id"])
            found.append(
                {"item": item, "share": share, "saved": True, "form": form, "funder": mine}
            )
    return found


def session_page(
    request: Request,
    db: Database,
    actor: Actor,
    session_id: int,
    errors: dict[str, dict[str, str]] | None = None,
    alert: str | None = None,
    status_code: int | None = None,
) -> Response:
    context = live_context(db, actor, session_id)
    meeting = context["meeting"]
    state = SESSION.state(meeting["state"])
    mine = my_funder_code(db, actor)
    candidates: list[dict[str, Any]] = []
    if actor.role == "chair" and "agenda_editable" in state.tags:
        candidates = _candidates(db, actor, meeting)
    live = "live" in state.tags
    correcting = request.query_params.get("corriger")
    # A member decides for its funder, and as a proxy for the funders of those it represents.
    deciding = [mine, *attendance.represented_funders(db, actor, session_id)] if mine else []
    my_decisions = [
        d for code in deciding if live for d in _my_decisions(db, actor, meeting, code, correcting)
    ]
    pending = (
        service.pending_decisions(db, actor, session_id) if live and actor.role == "chair" else []
    )
    triggers = [
        (t, transition_label("session", t))
        for t in ("convene", "open", "cancel")
        if SESSION.allowed(t, meeting["state"], actor.role)
    ]
    context.update(
        {
            "calls": [call_view(db, call_id) for call_id in meeting["call_ids"]],
            "candidates": candidates,
            "decisions": my_decisions,
            "pending": pending,
            "my_funder": mine,
            "triggers": triggers,
            "can_close": SESSION.allowed("close", meeting["state"], actor.role),
            "can_edit": actor.role == "chair" and "agenda_editable" in state.tags,
            "outcomes": [
                (outcome, transition_label("share", trigger))
                for outcome, trigger in service.OUTCOMES.items()
            ],
            "closed": meeting["state"] == "closed",
            "form_errors": errors or {},
            "alert": alert,
        }
    )
    add_conflicts(db, actor, context)
    add_attendance(db, actor, context)
    status = status_code or (422 if errors else 200)
    return render(request, "chair/session.html", context, actor=actor, status_code=status)


@router.get("/seances/{session_id}")
def session_screen(
    request: Request, session_id: int, db: DatabaseDep, actor: PageActor
) -> Response:
    return session_page(request, db, actor, session_id)


@router.get("/seances/{session_id}/direct")
def session_live(request: Request, session_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    """The part of the session screen that follows the decisions (refreshed every few seconds)."""
    return render(
        request, "chair/_session_live.html", live_context(db, actor, session_id), actor=actor
    )


@router.post("/seances/{session_id}/ordre-du-jour")
def set_agenda(
    request: Request,
    session_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    ids = [int(v) for v in form.getlist("application_ids") if isinstance(v, str) and v.isdigit()]
    version = form_text(form, "version")
    try:
        service.set_agenda(
            db, actor, session_id, ids, int(version) if version.isdigit() else None, settings
        )
    except InvalidInput as exc:
        return session_page(request, db, actor, session_id, {"agenda": field_errors(exc)})
    return redirect(f"/seances/{session_id}", "agenda")


@router.post("/seances/{session_id}/convene")
def convene(
    request: Request,
    session_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    try:
        service.convene_session(db, actor, session_id, settings)  # in the background
    except Conflict as exc:
        return session_page(request, db, actor, session_id, alert=exc.detail, status_code=409)
    return redirect(f"/seances/{session_id}", "convened")


@router.post("/seances/{session_id}/open")
def open_session(
    request: Request, session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    try:
        service.open_session(db, actor, session_id)
    except Conflict as exc:
        return session_page(request, db, actor, session_id, alert=exc.detail, status_code=409)
    return redirect(f"/seances/{session_id}", "opened")


@router.post("/seances/{session_id}/cancel")
def cancel_session(
    session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    service.cancel_session(db, actor, session_id, form_text(form, "reason") or None)
    return redirect(f"/seances/{session_id}", "cancelled")


@router.get("/seances/{session_id}/proces-verbal")
def minutes(session_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    _, content = queries.session_minutes(db, actor, session_id)
    return pdf_response(content, f"pv-seance-{session_id}.pdf")
