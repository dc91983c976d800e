"""`GET /api/v1/documents/{id}`: a supporting document, for those who may see its application.

Uploaded files are the holders' bytes, not ours: they are always downloaded (never shown inline),
never sniffed into another type, and sandboxed should a browser render them anyway.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.common import binary_response
from engine.models import Document, ReportDocument
from engine.services.documents import document_file

router = APIRouter(tags=["documents"])

# No script, no plugin, no request, not even as a frame of another site.
SANDBOX_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"
CONTENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def attachment(document: Document | ReportDocument, content: bytes) -> Response:
    """The stored file (read from the database) as a download, whatever page or route asked."""
    media_type = (
        document.content_type
        if document.content_type in CONTENT_TYPES
        else "application/octet-stream"
    )
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(
                "attachment", document.filename or f"piece-{document.id}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SANDBOX_CSP,
            "Cache-Control": "private, no-store",
        },
    )


def content_disposition(kind: str, filename: str) -> str:
    """As Starlette's FileResponse writes it: a plain name when it is ASCII, else RFC 5987."""
    quoted = quote(filename)
    if quoted != filename:
        return f"{kind}; filename*=utf-8''{quoted}"
    return f'{kind}; filename="{filename}"'


@router.get(
    "/documents/{document_id}",
    responses={
        **error_responses(401, 403, 404),
        **binary_response("The document, as an attachment", *CONTENT_TYPES),
    },
    response_class=Response,
)
def get_document(document_id: int, db: DatabaseDep, actor: CurrentActor) -> Response:
    document, content = document_file(db, actor, document_id)
    return attachment(document, content)
