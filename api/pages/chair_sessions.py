"""The chair's pages on sessions: the list, a new session (one or several calls), moving it
(date, place, title). The session screen: api/pages/session_screen.py; decisions and the close:
api/pages/chair_meeting.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep, SettingsDep
from api.pages import reads
from api.pages.chair_calls import parse_datetime
from api.pages.funder import calls_for
from api.pages.web import (
    PageActor,
    PageRoute,
    Pagination,
    PostedForm,
    field_errors,
    form_text,
    page_number,
    redirect,
    render,
)
from engine.access import Actor, require_role
from engine.clock import PARIS
from engine.db import Database
from engine.rulebook import FieldError, InvalidInput
from engine.services import sessions as service
from workflows.application import APPLICATION
from workflows.share import SHARE

router = APIRouter(route_class=PageRoute)
SCHEDULABLE = APPLICATION.tagged("schedulable")
UNDECIDED = SHARE.tagged("undecided")


@router.get("/seances")
def list_sessions(
    request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None
) -> Response:
    require_role(actor, "chair", "funder", "admin")
    meetings = reads.sessions(db, actor)
    meetings.reverse()  # the next or latest session first
    pagination = Pagination(page_number(page), len(meetings))
    titles = {c["id"]: c["title"] for c in calls_for(db, actor)}
    return render(
        request,
        "chair/sessions.html",
        {"items": pagination.slice(meetings), "pagination": pagination, "call_titles": titles},
        actor=actor,
    )


def _session_form(
    request: Request,
    db: Database,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str],
    meeting: dict[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "chair/session_form.html",
        {
            "call_choices": [(c["id"], c["title"]) for c in calls_for(db, actor)],
            "values": values,
            "form_errors": errors,
            "meeting": meeting,
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get("/seances/nouvelle")
def new_session(request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "chair")
    return _session_form(request, db, actor, {"call_ids": []}, {})


@router.post("/seances/nouvelle")
def create_session(
    request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "chair")
    values: dict[str, Any] = {k: form_text(form, k) for k in ("title", "starts_at", "location")}
    values["call_ids"] = [
        int(v) for v in form.getlist("call_ids") if isinstance(v, str) and v.isdigit()
    ]
    try:
        missing = [FieldError(k, "required") for k, v in values.items() if not v]
        if missing:
            raise InvalidInput(missing)
        meeting = service.create_session(
            db,
            actor,
            None,
            values["title"],
            parse_datetime(values["starts_at"], "starts_at"),
            values["location"],
            values["call_ids"],
        )
    except InvalidInput as exc:
        return _session_form(request, db, actor, values, field_errors(exc))
    return redirect(f"/seances/{meeting.id}", "session_created")


@router.get("/seances/{session_id}/modifier")
def edit_session(request: Request, session_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "chair")
    meeting = reads.session(db, actor, session_id)
    values = {
        "title": meeting["title"],
        "location": meeting["location"],
        "starts_at": _local(meeting["starts_at"]),
        "version": str(meeting["version"]),
    }
    return _session_form(request, db, actor, values, {}, meeting)


def _local(moment: str) -> str:
    """An API timestamp as the value of a datetime-local input (Paris time)."""
    return datetime.fromisoformat(moment).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


@router.post("/seances/{session_id}/modifier")
def update_session(
    request: Request,
    session_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    require_role(actor, "chair")
    values = {k: form_text(form, k) for k in ("title", "starts_at", "location", "version")}
    try:
        missing = [FieldError(k, "required") for k, v in values.items() if not v]
        if missing:
            raise InvalidInput(missing)
        service.update_session(
            db,
            actor,
            session_id,
            settings,
            title=values["title"],
            starts_at=parse_datetime(values["starts_at"], "starts_at"),
            location=values["location"],
            if_match=int(values["version"]) if values["version"].isdigit() else None,
        )
    except InvalidInput as exc:
        meeting = reads.session(db, actor, session_id)
        return _session_form(request, db, actor, values, field_errors(exc), meeting)
    return redirect(f"/seances/{session_id}", "session_moved")
