"""Funders: anyone signed in reads them, the administrator configures them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from engine.models import Funder
from engine.schemas import FunderIn
from engine.services.funders import create_funder, list_funders

router = APIRouter(tags=["funders"])


def funder_json(funder: Funder) -> dict[str, Any]:
    return {
        "id": funder.id,
        "code": funder.code,
        "name": funder.name,
        "kind": funder.kind,
        "insee": funder.insee,
        "email": funder.email,
        "advance_rate": None if funder.advance_rate is None else str(funder.advance_rate),
    }


@router.get("/funders", responses=error_responses(401))
def get_funders(db: DatabaseDep, _: CurrentActor) -> list[dict[str, Any]]:
    return [funder_json(f) for f in list_funders(db)]


@router.post("/funders", status_code=201, responses=error_responses(401, 403, 409, 422))
def post_funder(body: FunderIn, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    funder = create_funder(db, actor, **body.model_dump())
    return funder_json(funder)
