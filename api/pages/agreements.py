"""Conventions on the file page: the holder downloads the convention and returns it signed (a
PDF), a member of the funder reads the signed copy and countersigns. The buttons show from the
workflow data (`allowed`), never from comparing state names."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import DatabaseDep, SettingsDep
from api.pages.files import from_code, show_file
from api.pages.web import PageActor, PageRoute, PostedForm, field_errors, redirect
from api.routes.sessions import pdf_response
from engine.rulebook import InvalidInput
from engine.services.agreement_signing import (
    application_of,
    convention_file,
    countersign_agreement,
    sign_agreement,
)

router = APIRouter(route_class=PageRoute)


@router.get("/conventions/{agreement_id}")
def convention(agreement_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    content = convention_file(db, actor, agreement_id, signed=False)
    return pdf_response(content, f"convention-{agreement_id}.pdf")


@router.get("/conventions/{agreement_id}/signee")
def signed_copy(agreement_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    content = convention_file(db, actor, agreement_id, signed=True)
    return pdf_response(content, f"convention-{agreement_id}-signee.pdf")


@router.post("/conventions/{agreement_id}/signer")
def sign(
    request: Request,
    agreement_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    application_id = application_of(db, actor, agreement_id)  # access first: 403/404
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors = {"file": from_code("file_required")}
    else:
        try:
            agreement = sign_agreement(
                db, actor, agreement_id, upload.filename, upload.file, settings
            )
        except InvalidInput as exc:
            errors = field_errors(exc)
        else:
            return redirect(
                f"/dossiers/{agreement.application_id}#conventions", "convention_signed"
            )
    return show_file(
        request, db, actor, application_id, errors={f"agreement.{agreement_id}": errors}
    )


@router.post("/conventions/{agreement_id}/contresigner")
def countersign(agreement_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    agreement = countersign_agreement(db, actor, agreement_id)
    return redirect(f"/dossiers/{agreement.application_id}#conventions", "convention_countersigned")
