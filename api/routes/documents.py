"""`GET /api/v1/documents/{id}`: a supporting document, for those who may see its application.

Uploaded files are the holders' bytes, not ours: they are always downloaded (never shown inline),
never sniffed into another type, and sandboxed should a browser render them anyway.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import CurrentActor, DatabaseDep, SettingsDep
from api.errors import error_responses
from engine.errors import NotFound
from engine.models import Document
from engine.services.documents import document_path

router = APIRouter(tags=["documents"])

# No script, no plugin, no request, not even as a frame of another site.
SANDBOX_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"
CONTENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def attachment(document: Document, path: Path) -> FileResponse:
    """The stored file as a download, whatever page or route asked for it."""
    if not path.is_file():
        raise NotFound(f"the file of document {document.id} is missing")
    media_type = (
        document.content_type
        if document.content_type in CONTENT_TYPES
        else "application/octet-stream"
    )
    return FileResponse(
        path,
        media_type=media_type,
        filename=document.filename or f"piece-{document.id}",
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SANDBOX_CSP,
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/documents/{document_id}",
    responses={
        **error_responses(401, 403, 404),
        200: {
            "description": "The document, as an attachment",
            "content": {t: {} for t in sorted(CONTENT_TYPES)},
        },
    },
    response_class=FileResponse,
)
def get_document(
    document_id: int, db: DatabaseDep, actor: CurrentActor, settings: SettingsDep
) -> FileResponse:
    document, path = document_path(db, actor, document_id, settings)
    return attachment(document, path)
