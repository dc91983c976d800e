"""Committee sessions: agenda, convene, open, decisions, close, cancel, minutes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import CurrentActor, DatabaseDep, IfMatch, SettingsDep
from api.errors import error_responses
from engine.errors import Forbidden
from engine.notify.deliver import dispatch_outbox, letters_dir
from engine.schemas import AgendaIn, DecisionIn, OptionalReasonIn, SessionIn
from engine.services import queries
from engine.services import sessions as service
from engine.views import session_summary

router = APIRouter(tags=["sessions"])
ERRORS = error_responses(401, 403, 404, 409, 422)


def _view(db: DatabaseDep, actor: CurrentActor, session_id: int) -> dict[str, Any]:
    return service.session_view(db, actor, session_id)


@router.get("/sessions", responses=ERRORS)
def list_sessions(db: DatabaseDep, actor: CurrentActor) -> list[dict[str, Any]]:
    if actor.role == "applicant":
        raise Forbidden("reserved to the chair and the funders")
    return [session_summary(m) for m in service.list_sessions(db, actor)]


@router.post("/sessions", status_code=201, responses=ERRORS)
def create(body: SessionIn, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    meeting = service.create_session(
        db, actor, body.call_id, body.title, body.starts_at, body.location
    )
    return _view(db, actor, meeting.id or 0)


@router.get("/sessions/{session_id}", responses=ERRORS)
def get(session_id: int, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    return _view(db, actor, session_id)


@router.put("/sessions/{session_id}/agenda", responses=ERRORS)
def agenda(
    session_id: int, body: AgendaIn, db: DatabaseDep, actor: CurrentActor, version: IfMatch
) -> dict[str, Any]:
    service.set_agenda(db, actor, session_id, body.application_ids, version)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/convene", responses=ERRORS)
def convene(
    session_id: int, db: DatabaseDep, actor: CurrentActor, settings: SettingsDep
) -> dict[str, Any]:
    service.convene_session(db, actor, session_id, settings)
    # Convocations go out right away, as decisions do at close.
    dispatch_outbox(db, settings)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/open", responses=ERRORS)
def open_(session_id: int, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    service.open_session(db, actor, session_id)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/decisions", status_code=201, responses=ERRORS)
def decide(
    session_id: int, body: DecisionIn, db: DatabaseDep, actor: CurrentActor
) -> dict[str, Any]:
    service.record_decision(
        db,
        actor,
        session_id,
        body.application_id,
        body.funder,
        body.outcome,
        body.amount,
        body.conditions,
    )
    return queries.application_view(db, actor, body.application_id)


@router.post("/sessions/{session_id}/close", responses=ERRORS)
def close(
    session_id: int, db: DatabaseDep, actor: CurrentActor, settings: SettingsDep
) -> dict[str, Any]:
    service.close_session(db, actor, session_id, settings)
    # Letters go out right away; the scheduler retries whatever could not be delivered.
    dispatch_outbox(db, settings)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/cancel", responses=ERRORS)
def cancel(
    session_id: int, db: DatabaseDep, actor: CurrentActor, body: OptionalReasonIn | None = None
) -> dict[str, Any]:
    service.cancel_session(db, actor, session_id, body.reason if body else None)
    return _view(db, actor, session_id)


@router.get(
    "/sessions/{session_id}/minutes",
    responses={**ERRORS, 200: {"content": {"application/pdf": {}}}},
    response_class=FileResponse,
)
def minutes(
    session_id: int, db: DatabaseDep, actor: CurrentActor, settings: SettingsDep
) -> FileResponse:
    letter = queries.session_minutes(db, actor, session_id)
    return pdf_response(letters_dir(settings) / letter.stored_name, f"pv-seance-{session_id}.pdf")


def pdf_response(path: Any, filename: str) -> FileResponse:
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=filename,
        headers={"X-Content-Type-Options": "nosniff"},
    )
