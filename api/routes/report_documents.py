"""A final report's supporting documents: the holder uploads them while it may change the
report; whoever may see the file (the reviewing funders among them) lists and downloads them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep, SettingsDep
from api.errors import error_responses
from api.models.common import binary_response
from api.models.report_documents import ReportDocumentOut
from api.routes.documents import CONTENT_TYPES, attachment
from engine.services.report_documents import (
    add_report_document,
    report_document_file,
    report_documents,
)

router = APIRouter(tags=["final reports"])
PATH = "/applications/{application_id}/report/documents"


@router.post(
    PATH,
    response_model=ReportDocumentOut,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
def upload(
    application_id: int,
    file: Annotated[UploadFile, File()],
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> ReportDocumentOut:
    """A PDF, PNG or JPEG (recognised by its content: 422 naming `file` otherwise), while the
    report is due or handed back (409 once submitted)."""
    document = add_report_document(
        db, actor, application_id, file.filename or "piece", file.file, settings
    )
    return ReportDocumentOut.of(document)


@router.get(PATH, response_model=list[ReportDocumentOut], responses=error_responses(401, 403, 404))
def listing(application_id: int, db: DatabaseDep, actor: CurrentActor) -> list[ReportDocumentOut]:
    return [ReportDocumentOut.of(d) for d in report_documents(db, actor, application_id)]


@router.get(
    PATH + "/{document_id}",
    responses={
        **error_responses(401, 403, 404),
        **binary_response("The document, as an attachment", *CONTENT_TYPES),
    },
    response_class=Response,
)
def download(
    application_id: int, document_id: int, db: DatabaseDep, actor: CurrentActor
) -> Response:
    document, content = report_document_file(db, actor, application_id, document_id)
    return attachment(document, content)
