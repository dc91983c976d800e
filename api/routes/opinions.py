"""Opinions on a share, given by the funder's members before the session (DESIGN §12)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.opinions import OpinionIn, OpinionOut
from engine.rulebook import Text
from engine.services import opinions as service

router = APIRouter(tags=["applications"])


@router.post(
    "/applications/{application_id}/shares/{funder}/opinion",
    status_code=201,
    response_model=OpinionOut,
    responses={
        **error_responses(401, 403, 404, 409, 422),
        200: {"description": "The member's opinion, updated", "model": OpinionOut},
    },
)
def give(
    application_id: int,
    funder: Annotated[Text, Path(max_length=50)],
    body: OpinionIn,
    db: DatabaseDep,
    actor: CurrentActor,
    response: Response,
) -> OpinionOut:
    """A member's opinion on its funder's share: 201 the first time, 200 when it replaces the
    member's earlier one; refused (409) once the file's session is open or the file decided."""
    _, created = service.give_opinion(db, actor, application_id, funder, body.opinion, body.comment)
    if not created:
        response.status_code = 200
    lines = service.application_opinions(db, actor, application_id)
    mine = next(x for x in lines if x.funder == funder and x.user_id == actor.id)
    return OpinionOut.of(mine)


@router.get(
    "/applications/{application_id}/opinions",
    response_model=list[OpinionOut],
    responses=error_responses(401, 403, 404),
)
def opinions(application_id: int, db: DatabaseDep, actor: CurrentActor) -> list[OpinionOut]:
    """The opinions given on the file, for the committee (not the holder)."""
    return [OpinionOut.of(x) for x in service.application_opinions(db, actor, application_id)]
