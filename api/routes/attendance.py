"""A session's attendance and quorum (the chair records it; the funders of the session read
it), and the attendance sheet to print for signatures."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.attendance import AttendanceIn, AttendanceOut, AttendeeOut, QuorumOut
from api.models.common import binary_response
from api.routes.sessions import pdf_response
from engine.access import Actor
from engine.db import Database
from engine.services import attendance as service
from engine.services.attendance_sheet import attendance_sheet_pdf

router = APIRouter(tags=["sessions"])


def _view(db: Database, actor: Actor, session_id: int) -> AttendanceOut:
    meeting, lines, quorum = service.session_attendance(db, actor, session_id)
    return AttendanceOut(
        session_id=meeting.id or 0,
        attendees=[AttendeeOut.of(line) for line in lines],
        quorum=QuorumOut.of(quorum),
    )


@router.get(
    "/sessions/{session_id}/attendance",
    response_model=AttendanceOut,
    responses=error_responses(401, 403, 404),
)
def get(session_id: int, db: DatabaseDep, actor: CurrentActor) -> AttendanceOut:
    """Every member of the session's funders with its status, and the quorum."""
    return _view(db, actor, session_id)


@router.put(
    "/sessions/{session_id}/attendance",
    response_model=AttendanceOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def put(session_id: int, body: AttendanceIn, db: DatabaseDep, actor: CurrentActor) -> AttendanceOut:
    """The chair records the attendance (replacing the previous record) until the close."""
    service.record_attendance(
        db,
        actor,
        session_id,
        [service.AttendeeInput(a.user, a.status, a.proxy) for a in body.attendees],
    )
    return _view(db, actor, session_id)


@router.get(
    "/sessions/{session_id}/attendance-sheet",
    responses={
        **error_responses(401, 403, 404),
        **binary_response("The attendance sheet to sign, as a PDF", "application/pdf"),
    },
    response_class=Response,
)
def sheet(session_id: int, db: DatabaseDep, actor: CurrentActor) -> Response:
    return pdf_response(
        attendance_sheet_pdf(db, actor, session_id), f"feuille-de-presence-{session_id}.pdf"
    )
