"""Calls for projects: create, list, open, close."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, DatabaseDep, IfMatch
from api.errors import error_responses
from api.models.calls import CallIn, CallOut, CallPatch
from engine.reads import read_call
from engine.services import calls
from engine.services.calls import EnvelopeIn

router = APIRouter(tags=["calls"])
MOVE = error_responses(401, 403, 404, 409)


def _view(db: DatabaseDep, call_id: int) -> CallOut:
    with db.reading() as session:
        return CallOut.of(read_call(session, calls.get_call(session, call_id)))


@router.get("/calls", response_model=list[CallOut], responses=error_responses(401))
def list_calls(db: DatabaseDep, _: CurrentActor) -> list[CallOut]:
    with db.reading() as session:
        return [CallOut.of(read_call(session, c)) for c in calls.list_calls_in(session)]


@router.get("/calls/{call_id}", response_model=CallOut, responses=error_responses(401, 404))
def get_call(call_id: int, db: DatabaseDep, _: CurrentActor) -> CallOut:
    return _view(db, call_id)


@router.post(
    "/calls", status_code=201, response_model=CallOut, responses=error_responses(401, 403, 422)
)
def post_call(body: CallIn, db: DatabaseDep, actor: CurrentActor) -> CallOut:
    envelopes = [EnvelopeIn(e.funder, e.envelope) for e in body.funders]
    call = calls.create_call(
        db, actor, body.scheme, body.title, body.opens_at, body.closes_at, envelopes
    )
    return _view(db, call.id or 0)


@router.patch(
    "/calls/{call_id}", response_model=CallOut, responses=error_responses(401, 403, 404, 409, 422)
)
def patch_call(
    call_id: int, body: CallPatch, db: DatabaseDep, actor: CurrentActor, version: IfMatch
) -> CallOut:
    """Edit a call (admin, chair): a draft in everything; an open call its title, deadline and
    envelopes, and a funder may join it; 409 with the reason otherwise."""
    envelopes = (
        None if body.funders is None else [EnvelopeIn(e.funder, e.envelope) for e in body.funders]
    )
    calls.update_call(
        db,
        actor,
        call_id,
        title=body.title,
        scheme=body.scheme,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        envelopes=envelopes,
        version=version,
    )
    return _view(db, call_id)


@router.post("/calls/{call_id}/open", response_model=CallOut, responses=MOVE)
def open_call(call_id: int, db: DatabaseDep, actor: CurrentActor) -> CallOut:
    calls.open_call(db, actor, call_id)
    return _view(db, call_id)


@router.post("/calls/{call_id}/close", response_model=CallOut, responses=MOVE)
def close_call(call_id: int, db: DatabaseDep, actor: CurrentActor) -> CallOut:
    calls.close_call(db, actor, call_id)
    return _view(db, call_id)
