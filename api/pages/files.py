"""One application file, as each role sees it, and the actions taken from it.

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
from api.pages import reads
from api.pages.forms import labeller
from api.pages.french import ACTIONS, FLAGS
from api.pages.web import (
    PageActor,
    PageRoute,
    PostedForm,
    field_errors,
    form_text,
    redirect,
    render,
    transition_label,
)
from api.routes.documents import attachment
from api.routes.sessions import pdf_response
from engine.access import Actor
from engine.db import Database
from engine.messages import from_exception
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.communes import commune_name
from engine.rulebook.money import to_money
from engine.services import applications as service
from engine.services import calls, queries
from engine.services.documents import add_document, document_file
from engine.services.funders import list_funders
from engine.services.shares import PROPOSABLE, propose_share
from workflows.application import APPLICATION
from workflows.share import SHARE

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


def scheme_label(code: str) -> str:
    scheme = default_registry().schemes.get(code)
    return scheme.label if scheme else code


def funder_names(db: Database) -> dict[str, str]:
    return {f.code: f.name for f in list_funders(db)}


def my_funder_code(db: Database, actor: Actor) -> str | None:
    if actor.role != "funder":
        return None
    return next((f.code for f in list_funders(db) if f.id == actor.funder_id), None)


def call_view(db: Database, call_id: int) -> dict[str, Any]:
    with db.reading() as session:
        return reads.call(session, calls.get_call(session, call_id))


def _timeline(
    events: list[dict[str, Any]],
    shares: list[dict[str, Any]],
    names: dict[str, str],
    documents: dict[str, str],
) -> list[dict[str, Any]]:
    """The events as a person reads them: what happened, to what, from which state to which
    (`documents`: the French label of each document kind of the scheme)."""
    share_funder = {s["id"]: s["funder"] for s in shares}
    entries = []
    for event in events:
        entity = event["entity"]
        action = event["action"]
        data = event["data"] or {}
        if entity == "share":
            funder = names.get(share_funder.get(event["entity_id"], ""), "un financeur")
            label = f"{transition_label('share', action)} — {funder}"
            workflow = "share"
        else:
            label = ACTIONS.get(action) or transition_label("application", action)
            workflow = "application"
        detail = []
        if data.get("amount"):
            detail.append(("Montant", data["amount"]))
        if data.get("by") == "rules":
            detail.append(("Par", "les règles du financeur"))
        elif event.get("actor"):
            detail.append(("Par", event["actor"]))
        if data.get("kind") in documents:
            detail.append(("Pièce", documents[data["kind"]]))
        entries.append(
            {
                "when": event["created_at"],
                "label": label,
                "workflow": workflow,
                "from": event["from_state"],
                "to": event["to_state"],
                "reason": event["reason"],
                "amount": data.get("amount"),
                "details": [d for d in detail if d[0] != "Montant"],
            }
        )
    entries.reverse()  # newest first
    return entries


def file_context(db: Database, actor: Actor, application_id: int) -> dict[str, Any]:
    application = reads.application(db, actor, application_id)
    events = reads.events(db, actor, application_id)
    letters = reads.letters(db, actor, application_id)
    documents = reads.documents(db, actor, application_id)
    names = funder_names(db)
    state = application["state"]
    mine = my_funder_code(db, actor)
    my_share = next((s for s in application["shares"] if s["funder"] == mine), None)
    role = actor.role
    call = call_view(db, application["call_id"])
    scheme = default_registry().schemes.get(call["scheme"])
    kinds = scheme.document_labels() if scheme else {}
    territory = application["application"].get("territory") or []
    return {
        "app": application,
        "call": call,
        "scheme_label": scheme_label(call["scheme"]),
        "communes": [(code, commune_name(code) or code) for code in territory],
        "timeline": _timeline(events, application["shares"], names, kinds),
        "letters": letters,
        "documents": documents,
        "document_kinds": kinds,
        "funder_names": names,
        "flag_labels": FLAGS,
        "field_label": labeller(scheme),
        "my_share": my_share,
        "is_holder": role == "applicant",
        "can_edit": role == "applicant" and state in service.EDITABLE,
        "can_submit": APPLICATION.allowed("submit", state, role),
        "can_withdraw": APPLICATION.allowed("withdraw", state, role),
        "can_request_documents": APPLICATION.allowed("request_documents", state, role),
        "can_override": APPLICATION.allowed("override_eligibility", state, role),
        "can_propose": my_share is not None
        and state in PROPOSABLE
        and SHARE.allowed("propose", my_share["state"], role),
        "form_errors": {},
        "form_values": {},
    }


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
    kind = form_text(form, "kind")
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput([FieldError("file", "file_required")])
        add_document(db, actor, application_id, kind, upload.filename, upload.file, settings)
    except InvalidInput as exc:
        return show_file(
            request,
            db,
            actor,
            application_id,
            errors={"upload": field_errors(exc)},
            values={"upload": {"kind": kind}},
        )
    return redirect(f"/dossiers/{application_id}#pieces-section", "uploaded")


@router.post("/dossiers/{application_id}/deposer")
def submit(
    application_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    service.submit_application(db, actor, application_id, settings)
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
