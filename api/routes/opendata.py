"""Open data, no login (DESIGN §11): the subsidies granted in a funding year as the SCDL
« Subventions » 2.1.1 table (décret 2017-779)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.errors import error_responses
from api.models.common import binary_response
from engine.services.opendata import subsidies, subsidies_csv

router = APIRouter(tags=["opendata"])
LEFT_OUT = "X-Rows-Left-Out"


def _declared() -> dict[int | str, dict[str, Any]]:
    responses = binary_response("The SCDL « Subventions » 2.1.1 table (CSV)", "text/csv")
    responses[200]["headers"] = {
        LEFT_OUT: {
            "description": "Granted shares left out because the schema would refuse their row "
            "(a funder without SIRET, a beneficiary with neither SIRET nor RNA)",
            "schema": {"type": "integer", "minimum": 0},
        }
    }
    return {**responses, **error_responses(422)}


@router.get("/opendata/subventions.csv", response_class=Response, responses=_declared())
def get_subsidies_csv(
    db: DatabaseDep,
    year: Annotated[int, Query(description="The funding year, 2000 to 2100")],
) -> Response:
    """One row per share granted for the funding year once its session is closed, the funder as
    attribuant; a year without grants gives the header row alone, an unknown year a 422."""
    table = subsidies(db, year)
    return Response(
        subsidies_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="subventions-{table.year}.csv"',
            LEFT_OUT: str(table.left_out_count),
        },
    )
