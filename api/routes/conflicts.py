"""Conflicts of interest of a session: declared by a member, recorded by the chair, listed."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.conflicts import ConflictIn, ConflictOut
from engine.services import conflicts

router = APIRouter(tags=["sessions"])


@router.post(
    "/sessions/{session_id}/conflicts",
    status_code=201,
    response_model=ConflictOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def declare(session_id: int, body: ConflictIn, db: DatabaseDep, actor: CurrentActor) -> ConflictOut:
    """A member declares its own conflict of interest on a file of the agenda (403 for someone
    else); the chair records one for any member of a funder of the session."""
    line = conflicts.declare_conflict(
        db, actor, session_id, body.application_id, body.user, body.reason
    )
    return ConflictOut.of(line)


@router.get(
    "/sessions/{session_id}/conflicts",
    response_model=list[ConflictOut],
    responses=error_responses(401, 403, 404),
)
def list_conflicts(session_id: int, db: DatabaseDep, actor: CurrentActor) -> list[ConflictOut]:
    """Every conflict on the agenda: declared, recorded by the chair, or found automatically
    (the holder is a funder of the plan; the member belongs to the holder organisation)."""
    return [ConflictOut.of(line) for line in conflicts.session_conflicts(db, actor, session_id)]
