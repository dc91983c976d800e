"""Supporting documents: their description in JSON, their bytes as a download."""

from __future__ import annotations

from api.models.common import Out, Timestamp
from engine.models import Document


class DocumentOut(Out):
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: Timestamp

    @classmethod
    def of(cls, document: Document) -> DocumentOut:
        return cls.model_validate(document, from_attributes=True)
