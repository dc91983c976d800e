"""Letters (decisions, convocations, minutes): listed in JSON, fetched as PDF."""

from __future__ import annotations

from api.models.common import Out, Timestamp
from engine.models import Letter


class LetterOut(Out):
    id: int
    kind: str
    title: str
    application_id: int | None
    session_id: int | None
    funder_id: int | None
    created_at: Timestamp
    url: str

    @classmethod
    def of(cls, letter: Letter) -> LetterOut:
        return cls(
            id=letter.id or 0,
            kind=letter.kind,
            title=letter.title,
            application_id=letter.application_id,
            session_id=letter.session_id,
            funder_id=letter.funder_id,
            created_at=letter.created_at,
            url=f"/api/v1/letters/{letter.id}",
        )
