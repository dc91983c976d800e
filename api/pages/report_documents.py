"""The final report's supporting documents on the pages: the holder joins a file from its
report form (`/dossiers/{id}/compte-rendu/pieces`), whoever may see the file downloads them.
Thin: the same services as the JSON API (engine/services/report_documents.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import DatabaseDep, SettingsDep
from api.pages.final_report import show_report
from api.pages.lists import field_errors
from api.pages.web import PageActor, PageRoute, PostedForm, redirect
from api.routes.documents import attachment
from engine.rulebook import FieldError, InvalidInput
from engine.services.final_reports import check_access
from engine.services.report_documents import add_report_document, report_document_file

router = APIRouter(route_class=PageRoute)


@router.post("/dossiers/{application_id}/compte-rendu/pieces")
def join(
    request: Request,
    application_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    # Access first: a stranger is refused before it is told what is wrong with its form.
    check_access(db, actor, application_id)
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput([FieldError("file", "file_required")])
        add_report_document(db, actor, application_id, upload.filename, upload.file, settings)
    except InvalidInput as exc:
        return show_report(request, db, actor, application_id, field_errors(exc))
    return redirect(f"/dossiers/{application_id}/compte-rendu#pieces", "report_document")


@router.get("/dossiers/{application_id}/compte-rendu/pieces/{document_id}")
def download(application_id: int, document_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    document, content = report_document_file(db, actor, application_id, document_id)
    return attachment(document, content)
