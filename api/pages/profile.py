"""The holder's "Mon organisation" page: its identity and the documents joined to each new
application (statuts, RIB…)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import DatabaseDep, SettingsDep
from api.pages.web import (
    PageActor,
    PageRoute,
    PostedForm,
    field_errors,
    form_text,
    redirect,
    render,
)
from api.routes.documents import SANDBOX_CSP, content_disposition
from engine.access import Actor, require_role
from engine.db import Database
from engine.messages import render as render_message
from engine.rulebook import InvalidInput
from engine.rulebook.application import HOLDER_KINDS
from engine.services import organisations as service

router = APIRouter(route_class=PageRoute)
# The identity fields of the form, in the order of the CERFA 12156's first page.
FIELDS = ("name", "kind", "siret", "rna", "cer_signed", "address", "email")
LABELS = {
    "name": "Nom de la structure",
    "kind": "Statut juridique",
    "siret": "Numéro SIRET",
    "rna": "Numéro RNA",
    "cer_signed": "Contrat d'engagement républicain souscrit",
    "address": "Adresse du siège",
    "email": "Adresse électronique de contact",
    "file": "Fichier",
}


def _page(
    request: Request,
    db: Database,
    actor: Actor,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    upload_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    profile = service.profile(db, actor)
    if values is None:
        values = {k: profile.get(k) or "" for k in FIELDS}
        flag = profile.get("cer_signed")
        values["cer_signed"] = "" if flag is None else ("oui" if flag else "non")
    kept = {d["kind"] for d in profile["documents"]}
    return render(
        request,
        "holder/profile.html",
        {
            "profile": profile,
            "values": values,
            "form_errors": errors or {},
            "upload_errors": upload_errors or {},
            "labels": LABELS,
            "holder_kinds": list(HOLDER_KINDS.items()),
            "kinds": profile["document_kinds"],
            "missing_kinds": [k for k in profile["document_kinds"] if k not in kept],
        },
        actor=actor,
        status_code=status_code,
    )


@router.get("/organisation")
def my_organisation(request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "applicant")
    return _page(request, db, actor)


@router.post("/organisation")
def save(request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "applicant")
    values = {k: form_text(form, k) for k in FIELDS}
    changes: dict[str, Any] = {k: values[k] or None for k in FIELDS if k != "cer_signed"}
    changes["name"] = values["name"]
    changes["cer_signed"] = {"oui": True, "non": False}.get(values["cer_signed"])
    try:
        service.update_profile(db, actor, changes)
    except InvalidInput as exc:
        return _page(request, db, actor, values=values, errors=field_errors(exc), status_code=422)
    return redirect("/organisation", "profile_saved")


@router.post("/organisation/pieces")
def add_documents(
    request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor, settings: SettingsDep
) -> Response:
    """One file input per reusable kind (`file.<kind>`): those chosen are kept."""
    require_role(actor, "applicant")
    errors: dict[str, str] = {}
    added = 0
    for kind in service.reusable_kinds():
        upload = form.get(f"file.{kind}")
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        try:
            service.add_profile_document(db, actor, kind, upload.filename, upload.file, settings)
            added += 1
        except InvalidInput as exc:
            errors[kind] = next(iter(field_errors(exc).values()))
    if not added and not errors:
        errors["_"] = render_message("file_required")
    if errors:
        return _page(request, db, actor, upload_errors=errors, status_code=422)
    return redirect(
        "/organisation#pieces-profil", "profile_document" if added == 1 else "profile_documents"
    )


@router.post("/organisation/pieces/{document_id}/retirer")
def remove_document(
    document_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "applicant")
    service.remove_profile_document(db, actor, document_id)
    return redirect("/organisation#pieces-profil", "profile_document_removed")


@router.get("/organisation/pieces/{document_id}")
def download(document_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    document, content = service.profile_document_file(db, actor, document_id)
    return Response(
        content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": content_disposition("attachment", document.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SANDBOX_CSP,
            "Cache-Control": "private, no-store",
        },
    )
