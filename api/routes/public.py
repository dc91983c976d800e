"""The public information, no login (DESIGN §11): the open calls and the funded actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DatabaseDep
from api.errors import error_responses
from api.models.public import FundedActionOut, PublicCallOut
from engine.rulebook import Text
from engine.services import public_catalogue

router = APIRouter(tags=["public"])


@router.get("/public/calls", response_model=list[PublicCallOut])
def open_calls(db: DatabaseDep) -> list[PublicCallOut]:
    """The calls open for applications now, the nearest deadline first, with where to apply."""
    return [PublicCallOut.of(c) for c in public_catalogue.open_calls(db)]


@router.get("/public/actions", response_model=list[FundedActionOut], responses=error_responses(422))
def funded_actions(
    db: DatabaseDep,
    year: Annotated[int | None, Query(description="The funding year")] = None,
    commune: Annotated[
        Text | None, Query(max_length=10, description="An INSEE code, 2018 or current")
    ] = None,
    scheme: Annotated[Text | None, Query(max_length=50)] = None,
) -> list[FundedActionOut]:
    """The funded actions (at least one share granted), by title; an unknown year, commune or
    scheme is a 422 naming it, a year without actions an empty list."""
    actions = public_catalogue.funded_actions(db, year, commune, scheme)
    return [FundedActionOut.of(a) for a in actions]
