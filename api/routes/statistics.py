"""`GET /api/v1/statistics`: the shared diagnosis of a funding year (DESIGN §11)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.statistics import StatisticsOut
from engine.rulebook.text import Text
from engine.services.statistics import FIRST_YEAR, LAST_YEAR, territory_statistics

router = APIRouter(tags=["statistics"])


@router.get("/statistics", response_model=StatisticsOut, responses=error_responses(401, 403, 422))
def get_statistics(
    db: DatabaseDep,
    actor: CurrentActor,
    year: Annotated[
        int, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="The funding year (2000 to 2100)")
    ],
    scheme: Annotated[Text | None, Query(max_length=50, description="A scheme's code")] = None,
) -> StatisticsOut:
    """Applications filed, amounts requested, granted and paid, by scheme, funder, commune and
    EPCI, and the days from filing to notification, for the chair, the administrator and the
    funders. An action over several communes counts in each, its amounts split between them."""
    return StatisticsOut.of(territory_statistics(db, actor, year, scheme))
