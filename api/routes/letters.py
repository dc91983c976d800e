"""`GET /api/v1/letters/{id}`: a letter's PDF, for the people it is addressed to."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.common import binary_response
from api.routes.sessions import pdf_response
from engine.services.queries import letter_file

router = APIRouter(tags=["letters"])


@router.get(
    "/letters/{letter_id}",
    responses={
        **error_responses(401, 403, 404),
        **binary_response("The letter, as a PDF", "application/pdf"),
    },
    response_class=Response,
)
def get_letter(letter_id: int, db: DatabaseDep, actor: CurrentActor) -> Response:
    _, content = letter_file(db, actor, letter_id)
    return pdf_response(content, f"lettre-{letter_id}.pdf")
