"""Committee sessions: agenda, convene, open, decisions, close, cancel, minutes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep, IfMatch, SettingsDep
from api.errors import error_responses
from api.models.applications import ApplicationOut, OptionalReasonIn
from api.models.common import binary_response
from api.models.sessions import (
    AgendaIn,
    DecisionIn,
    SessionIn,
    SessionOut,
    SessionPatchIn,
    SessionSummaryOut,
)
from api.routes.documents import content_disposition
from engine.errors import Forbidden
from engine.services import decisions, queries
from engine.services import sessions as service

router = APIRouter(tags=["sessions"])
READ = error_responses(401, 403, 404)
# A change: refused (403), not found (404), in the wrong state or changed meanwhile (409), bad
# input (422).
ERRORS = error_responses(401, 403, 404, 409, 422)


def _view(db: DatabaseDep, actor: CurrentActor, session_id: int) -> SessionOut:
    return SessionOut.of(service.session_view(db, actor, session_id))


@router.get(
    "/sessions", response_model=list[SessionSummaryOut], responses=error_responses(401, 403)
)
def list_sessions(db: DatabaseDep, actor: CurrentActor) -> list[SessionSummaryOut]:
    if actor.role == "applicant":
        raise Forbidden("forbidden.staff_and_funders")
    meetings = service.list_sessions(db, actor)
    calls = service.calls_of_sessions(db, [m.id or 0 for m in meetings])
    return [SessionSummaryOut.of(m, calls.get(m.id or 0)) for m in meetings]


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionOut,
    responses=error_responses(401, 403, 422),
)
def create(body: SessionIn, db: DatabaseDep, actor: CurrentActor) -> SessionOut:
    meeting = service.create_session(
        db, actor, body.call_id, body.title, body.starts_at, body.location, body.call_ids
    )
    return _view(db, actor, meeting.id or 0)


@router.patch("/sessions/{session_id}", response_model=SessionOut, responses=ERRORS)
def update(
    session_id: int,
    body: SessionPatchIn,
    db: DatabaseDep,
    actor: CurrentActor,
    version: IfMatch,
    settings: SettingsDep,
) -> SessionOut:
    """Move the session (date, place, title) before it opens; once convened, an amended
    convocation goes to the members, saying what changed."""
    service.update_session(
        db,
        actor,
        session_id,
        settings,
        title=body.title,
        starts_at=body.starts_at,
        location=body.location,
        if_match=version,
    )
    return _view(db, actor, session_id)


@router.get("/sessions/{session_id}", response_model=SessionOut, responses=READ)
def get(session_id: int, db: DatabaseDep, actor: CurrentActor) -> SessionOut:
    return _view(db, actor, session_id)


@router.put("/sessions/{session_id}/agenda", response_model=SessionOut, responses=ERRORS)
def agenda(
    session_id: int,
    body: AgendaIn,
    db: DatabaseDep,
    actor: CurrentActor,
    version: IfMatch,
    settings: SettingsDep,
) -> SessionOut:
    # Once convened, a change re-sends an amended convocation (produced in the background).
    service.set_agenda(db, actor, session_id, body.application_ids, version, settings)
    return _view(db, actor, session_id)


@router.post(
    "/sessions/{session_id}/convene",
    response_model=SessionOut,
    responses=error_responses(401, 403, 404, 409, 422, 507),
)
def convene(
    session_id: int, db: DatabaseDep, actor: CurrentActor, settings: SettingsDep
) -> SessionOut:
    # The convocations are produced and sent right after, in the background: no SMTP here.
    service.convene_session(db, actor, session_id, settings)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/open", response_model=SessionOut, responses=ERRORS)
def open_(session_id: int, db: DatabaseDep, actor: CurrentActor) -> SessionOut:
    service.open_session(db, actor, session_id)
    return _view(db, actor, session_id)


@router.post(
    "/sessions/{session_id}/decisions",
    status_code=201,
    response_model=ApplicationOut,
    responses={**ERRORS, 200: {"description": "A decision corrected", "model": ApplicationOut}},
)
def decide(
    session_id: int, body: DecisionIn, db: DatabaseDep, actor: CurrentActor, response: Response
) -> ApplicationOut:
    """The decision on one share; answers the application as it now stands: 201 for a first
    decision, 200 when a member corrects its funder's decision while the session is open (the
    new one replaces it). The chair may only defer an absent funder's share, with a reason."""
    _, corrected = decisions.decide(
        db,
        actor,
        session_id,
        body.application_id,
        body.funder,
        body.outcome,
        body.amount,
        body.conditions,
        body.reason,
    )
    if corrected:
        response.status_code = 200
    return ApplicationOut.of(queries.application_view(db, actor, body.application_id))


@router.post(
    "/sessions/{session_id}/close",
    response_model=SessionOut,
    responses=error_responses(401, 403, 404, 409, 422, 507),
)
def close(
    session_id: int, db: DatabaseDep, actor: CurrentActor, settings: SettingsDep
) -> SessionOut:
    # The decisions are locked when this returns; letters, minutes and emails are produced
    # right after, in the background (the view's `production` says how far): no SMTP here.
    service.close_session(db, actor, session_id, settings)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/cancel", response_model=SessionOut, responses=ERRORS)
def cancel(
    session_id: int, db: DatabaseDep, actor: CurrentActor, body: OptionalReasonIn | None = None
) -> SessionOut:
    service.cancel_session(db, actor, session_id, body.reason if body else None)
    return _view(db, actor, session_id)


@router.get(
    "/sessions/{session_id}/minutes",
    responses={
        **error_responses(401, 403, 404, 409),
        **binary_response("The minutes, as a PDF", "application/pdf"),
    },
    response_class=Response,
)
def minutes(session_id: int, db: DatabaseDep, actor: CurrentActor) -> Response:
    _, content = queries.session_minutes(db, actor, session_id)
    return pdf_response(content, f"pv-seance-{session_id}.pdf")


@router.get(
    "/sessions/{session_id}/pack",
    responses={
        **error_responses(401, 403, 404),
        **binary_response(
            "The session pack (each file on the agenda, its plan, its project), as a PDF",
            "application/pdf",
        ),
    },
    response_class=Response,
)
def pack(session_id: int, db: DatabaseDep, actor: CurrentActor) -> Response:
    from engine.services.session_pack import session_pack_pdf

    return pdf_response(session_pack_pdf(db, actor, session_id), f"dossier-seance-{session_id}.pdf")


def pdf_response(content: bytes, filename: str) -> Response:
    """A stored PDF (read from the database), as FileResponse would send a file."""
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition("attachment", filename),
            "X-Content-Type-Options": "nosniff",
        },
    )
