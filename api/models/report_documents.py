"""A final report's supporting documents: `/api/v1/applications/{id}/report/documents`."""

from __future__ import annotations

from api.models.common import Out, Timestamp
from engine.models import ReportDocument


class ReportDocumentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: Timestamp

    @classmethod
    def of(cls, document: ReportDocument) -> ReportDocumentOut:
        return cls.model_validate(document, from_attributes=True)
