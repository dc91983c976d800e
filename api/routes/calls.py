"""Calls for projects: create, list, open, close."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from engine.schemas import CallIn
from engine.services import calls
from engine.services.calls import EnvelopeIn
from engine.views import call_json

router = APIRouter(tags=["calls"])


def _view(db: DatabaseDep, call_id: int) -> dict[str, Any]:
    with db.reading() as session:
        return call_json(session, calls.get_call(session, call_id))


@router.get("/calls", responses=error_responses(401))
def list_calls(db: DatabaseDep, _: CurrentActor) -> list[dict[str, Any]]:
    with db.reading() as session:
        return [call_json(session, c) for c in calls.list_calls_in(session)]


@router.get("/calls/{call_id}", responses=error_responses(401, 404))
def get_call(call_id: int, db: DatabaseDep, _: CurrentActor) -> dict[str, Any]:
    return _view(db, call_id)


@router.post("/calls", status_code=201, responses=error_responses(401, 403, 422))
def post_call(body: CallIn, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    envelopes = [EnvelopeIn(e.funder, e.envelope) for e in body.funders]
    call = calls.create_call(
        db, actor, body.scheme, body.title, body.opens_at, body.closes_at, envelopes
    )
    return _view(db, call.id or 0)


@router.post("/calls/{call_id}/open", responses=error_responses(401, 403, 404, 409))
def open_call(call_id: int, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    calls.open_call(db, actor, call_id)
    return _view(db, call_id)


@router.post("/calls/{call_id}/close", responses=error_responses(401, 403, 404, 409))
def close_call(call_id: int, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    calls.close_call(db, actor, call_id)
    return _view(db, call_id)
