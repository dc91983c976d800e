"""`GET /api/v1/letters/{id}`: a letter's PDF, for the people it is addressed to."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import CurrentActor, DatabaseDep, SettingsDep
from api.errors import error_responses
from api.routes.sessions import pdf_response
from engine.notify.deliver import letters_dir
from engine.services.queries import letter_file

router = APIRouter(tags=["letters"])


@router.get(
    "/letters/{letter_id}",
    responses={**error_responses(401, 403, 404), 200: {"content": {"application/pdf": {}}}},
    response_class=FileResponse,
)
def get_letter(
    letter_id: int, db: DatabaseDep, actor: CurrentActor, settings: SettingsDep
) -> FileResponse:
    letter = letter_file(db, actor, letter_id)
    return pdf_response(letters_dir(settings) / letter.stored_name, f"lettre-{letter_id}.pdf")
