"""One application file, as each role sees it, and the actions taken from it.

What the page shows is built in api.pages.file_view (`file_context`); this module holds the routes.

The holder uploads documents, submits and withdraws; a funder reads the rule results and the
trace and proposes its own share; the chair asks for documents or declares a file eligible.
Which buttons show comes from the workflows (`allowed`), never from comparing state names.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import DatabaseDep, SettingsDep
from api.pages.file_view import (  # noqa: F401 (re-exported: the other pages import them here)
    call_view,
    file_context,
    funder_names,
    my_funder_code,
    scheme_label,
)
from api.pages.opinions import opinion_context
from api.pages.web import (
    PageActor,
    PageRoute,
    PostedForm,
    field_errors,
    form_text,
    redirect,
    render,
)
from api.routes.documents import attachment
from api.routes.sessions import pdf_response
from engine.access import Actor
from engine.db import Database
from engine.messages import from_exception
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.money import to_money
from engine.services import applications as service
from engine.services import queries
from engine.services.documents import add_document, document_file
from engine.services.shares import propose_share

UPLOAD_ROWS = 10  # upload rows of the documents form (one per kind the scheme asks, at most)


def from_code(code: str) -> str:
    from engine.messages import render as render_message

    return render_message(code)


router = APIRouter(route_class=PageRoute)


def parse_money(raw: str, field: str, required: bool = True) -> Decimal | None:
    """A French amount (`1 500,50`) as the API's Money type reads it; errors name the field."""
    text = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
    if not text:
        if required:
            raise InvalidInput([FieldError(field, "required")])
        return None
    try:
        return to_money(text.replace(",", "."))
    except ValueError as exc:
        raise InvalidInput([FieldError.of(field, from_exception(exc))]) from None


def show_file(
    request: Request,
    db: Database,
    actor: Actor,
    application_id: int,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, str]] | None = None,
) -> Response:
    context = file_context(db, actor, application_id)
    context.update(opinion_context(db, actor, application_id))
    context["form_errors"] = errors or {}
    context["form_values"] = values or {}
    return render(request, "file.html", context, actor=actor, status_code=422 if errors else 200)


@router.get("/dossiers/{application_id}")
def file_page(request: Request, application_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    return show_file(request, db, actor, application_id)


@router.post("/dossiers/{application_id}/pieces")
def upload(
    request: Request,
    application_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    # Several rows (`kind`/`file`, then `kind.1`/`file.1`…), each a kind and one or more files.
    errors: dict[str, str] = {}
    kinds: dict[str, str] = {}
    added = 0
    for index in range(UPLOAD_ROWS):
        suffix = f".{index}" if index else ""
        kind_name, file_name = f"kind{suffix}", f"file{suffix}"
        kind = form_text(form, kind_name)
        kinds[kind_name] = kind
        uploads = [u for u in form.getlist(file_name) if isinstance(u, UploadFile) and u.filename]
        for upload in uploads:
            name = upload.filename or "document"
            try:
                add_document(db, actor, application_id, kind, name, upload.file, settings)
                added += 1
            except InvalidInput as exc:
                for name, message in field_errors(exc).items():
                    errors.setdefault(kind_name if name == "kind" else file_name, message)
    if not added and not errors:
        errors["file"] = from_code("file_required")
    if errors:
        return show_file(
            request, db, actor, application_id, errors={"upload": errors}, values={"upload": kinds}
        )
    return redirect(
        f"/dossiers/{application_id}#pieces-section", "uploaded" if added == 1 else "uploaded_many"
    )


@router.post("/dossiers/{application_id}/deposer")
def submit(
    application_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    filed = service.submit_application(db, actor, application_id, settings)
    if filed.application.state == "incomplete":
        # Not a success: the file page says what is missing, in a warning.
        return redirect(f"/dossiers/{application_id}#dossier-incomplet")
    return redirect(f"/dossiers/{application_id}", "submitted")


@router.post("/dossiers/{application_id}/retirer")
def withdraw(application_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    service.withdraw_application(db, actor, application_id, form_text(form, "reason") or None)
    return redirect(f"/dossiers/{application_id}", "withdrawn")


@router.post("/dossiers/{application_id}/parts/{funder}/proposer")
def propose(
    request: Request,
    application_id: int,
    funder: str,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
) -> Response:
    raw = form_text(form, "amount")
    comment = form_text(form, "comment") or None
    try:
        amount = parse_money(raw, "amount")
        assert amount is not None
        version = form_text(form, "version")
        propose_share(
            db,
            actor,
            application_id,
            funder,
            amount,
            comment,
            int(version) if version.isdigit() else None,
        )
    except InvalidInput as exc:
        return show_file(
            request,
            db,
            actor,
            application_id,
            errors={"propose": field_errors(exc)},
            values={"propose": {"amount": raw, "comment": comment or ""}},
        )
    return redirect(f"/dossiers/{application_id}", "proposed")


def _reasoned(
    request: Request,
    application_id: int,
    form: Any,
    db: Database,
    actor: Actor,
    name: str,
    act: Any,
    ok: str,
) -> Response:
    reason = form_text(form, "reason")
    try:
        if not reason:
            raise InvalidInput([FieldError("reason", "reason_required")])
        act(reason)
    except InvalidInput as exc:
        return show_file(request, db, actor, application_id, errors={name: field_errors(exc)})
    return redirect(f"/dossiers/{application_id}", ok)


@router.post("/dossiers/{application_id}/demander-pieces")
def request_documents(
    request: Request, application_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    return _reasoned(
        request,
        application_id,
        form,
        db,
        actor,
        "request_documents",
        lambda reason: service.request_documents(db, actor, application_id, reason),
        "documents_requested",
    )


@router.post("/dossiers/{application_id}/declarer-recevable")
def override(
    request: Request,
    application_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    return _reasoned(
        request,
        application_id,
        form,
        db,
        actor,
        "override",
        lambda reason: service.override_eligibility(db, actor, application_id, reason, settings),
        "overridden",
    )


@router.get("/lettres/{letter_id}")
def letter(letter_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    _, content = queries.letter_file(db, actor, letter_id)
    return pdf_response(content, f"lettre-{letter_id}.pdf")


@router.get("/pieces/{document_id}")
def document(document_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    """A supporting document, downloaded (as `GET /api/v1/documents/{id}`)."""
    found, content = document_file(db, actor, document_id)
    return attachment(found, content)
