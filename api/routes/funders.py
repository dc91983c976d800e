"""Funders: anyone signed in reads them, the administrator configures them."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.funders import FunderIn, FunderOut
from engine.services.funders import create_funder, list_funders

router = APIRouter(tags=["funders"])


@router.get("/funders", response_model=list[FunderOut], responses=error_responses(401))
def get_funders(db: DatabaseDep, _: CurrentActor) -> list[FunderOut]:
    return [FunderOut.of(f) for f in list_funders(db)]


@router.post(
    "/funders",
    status_code=201,
    response_model=FunderOut,
    responses=error_responses(401, 403, 409, 422),
)
def post_funder(body: FunderIn, db: DatabaseDep, actor: CurrentActor) -> FunderOut:
    funder = create_funder(db, actor, **body.model_dump())
    return FunderOut.of(funder)
