"""Funders: anyone signed in reads them, the administrator configures them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.funders import FunderIn, FunderOut, FunderPatch
from engine.services.funders import (
    create_funder,
    get_funder,
    list_funders,
    set_funder_active,
    update_funder,
)

router = APIRouter(tags=["funders"])
ONE = error_responses(401, 403, 404, 409, 422)
Code = Annotated[str, Path(min_length=1, max_length=50, pattern=r"^[a-z0-9_\-]+$")]


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


@router.get("/funders/{code}", response_model=FunderOut, responses=error_responses(401, 404))
def get_one(code: Code, db: DatabaseDep, _: CurrentActor) -> FunderOut:
    return FunderOut.of(get_funder(db, code))


@router.patch("/funders/{code}", response_model=FunderOut, responses=ONE)
def patch_funder(code: Code, body: FunderPatch, db: DatabaseDep, actor: CurrentActor) -> FunderOut:
    """Only the fields sent change (admin only)."""
    sent = body.model_dump(exclude_unset=True)
    changes = {
        k: v
        for k, v in sent.items()
        if k in ("email", "advance_rate", "insee", "siret") or v is not None
    }
    update_funder(db, actor, code, **changes)
    return FunderOut.of(get_funder(db, code))


@router.post("/funders/{code}/deactivate", response_model=FunderOut, responses=ONE)
def deactivate(code: Code, db: DatabaseDep, actor: CurrentActor) -> FunderOut:
    """No longer offered to new calls; its calls and shares keep working (admin only)."""
    return FunderOut.of(set_funder_active(db, actor, code, False))


@router.post("/funders/{code}/reactivate", response_model=FunderOut, responses=ONE)
def reactivate(code: Code, db: DatabaseDep, actor: CurrentActor) -> FunderOut:
    return FunderOut.of(set_funder_active(db, actor, code, True))
