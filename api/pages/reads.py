"""What the pages read: the engine's read models in the JSON API's own shapes (api/models), as
plain dicts for the templates, so that a page and `GET /api/v1/...` never disagree."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from api.models.applications import ApplicationOut, ApplicationPageOut, EventOut
from api.models.calls import CallOut
from api.models.documents import DocumentOut
from api.models.letters import LetterOut
from api.models.sessions import SessionOut, SessionSummaryOut
from engine.access import Actor
from engine.db import Database
from engine.models import Call
from engine.reads import read_call
from engine.services import queries
from engine.services import sessions as meetings
from engine.services.documents import list_documents


def application(db: Database, actor: Actor, application_id: int) -> dict[str, Any]:
    return ApplicationOut.of(queries.application_view(db, actor, application_id)).model_dump(
        mode="json"
    )


def applications(
    db: Database,
    actor: Actor,
    call_id: int | None = None,
    state: str | None = None,
    offset: int = 0,
    limit: int = 50,
    *,
    view: str | None = None,
    search: str | None = None,
) -> dict[str, Any]:
    page = queries.list_applications(
        db, actor, call_id, state, offset, limit, view=view, search=search
    )
    return ApplicationPageOut.of(page).model_dump(mode="json")


def events(db: Database, actor: Actor, application_id: int) -> list[dict[str, Any]]:
    found = queries.application_events(db, actor, application_id)
    return [EventOut.of(e).model_dump(mode="json") for e in found]


def letters(db: Database, actor: Actor, application_id: int) -> list[dict[str, Any]]:
    found = queries.application_letters(db, actor, application_id)
    return [LetterOut.of(x).model_dump(mode="json") for x in found]


def documents(db: Database, actor: Actor, application_id: int) -> list[dict[str, Any]]:
    found = list_documents(db, actor, application_id)
    return [DocumentOut.of(d).model_dump(mode="json") for d in found]


def call(session: Session, row: Call) -> dict[str, Any]:
    return CallOut.of(read_call(session, row)).model_dump(mode="json")


def session(db: Database, actor: Actor, session_id: int) -> dict[str, Any]:
    return SessionOut.of(meetings.session_view(db, actor, session_id)).model_dump(mode="json")


def sessions(db: Database, actor: Actor) -> list[dict[str, Any]]:
    found = meetings.list_sessions(db, actor)
    calls = meetings.calls_of_sessions(db, [m.id or 0 for m in found])
    return [SessionSummaryOut.of(m, calls.get(m.id or 0)).model_dump(mode="json") for m in found]
