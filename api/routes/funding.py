"""`GET /api/v1/applications/{id}/funding`: a file's money after the decision, in one read."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.agreements import FundingOut
from engine.services.funding import funding

router = APIRouter(tags=["funding"])


@router.get(
    "/applications/{application_id}/funding",
    response_model=FundingOut,
    responses=error_responses(401, 403, 404),
)
def get_funding(application_id: int, db: DatabaseDep, actor: CurrentActor) -> FundingOut:
    """Agreements, payments, the final report with its reviews and the settlement (null until
    they exist): for the holder, the funders asked, the chair and the administrator."""
    return FundingOut.of(funding(db, actor, application_id))
