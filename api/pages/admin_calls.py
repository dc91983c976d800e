"""The page editing a call (title, dates, envelopes), for the administrator or the chair."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.files import parse_money, scheme_label
from api.pages.web import (
    PageActor,
    PageRoute,
    PostedForm,
    field_errors,
    form_text,
    iso_input,
    redirect,
    render,
)
from engine.access import Actor, require_role
from engine.db import Database
from engine.errors import Conflict
from engine.rulebook import FieldError, InvalidInput
from engine.services import calls
from engine.services.funders import list_funders

router = APIRouter(route_class=PageRoute)


def _call_page(
    request: Request,
    db: Database,
    actor: Actor,
    call_id: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    with db.reading() as session:
        call = calls.get_call(session, call_id)
        envelopes = calls.envelopes_of(session, call_id)
    funders = [f for f in list_funders(db) if f.active or f.id in envelopes]
    if values is None:
        values = {
            "title": call.title,
            "opens_at": iso_input(call.opens_at),
            "closes_at": iso_input(call.closes_at),
            **{
                f"envelope.{f.code}": str(envelopes[f.id]).replace(".", ",")
                for f in funders
                if f.id in envelopes
            },
        }
    return render(
        request,
        "admin/call_form.html",
        {
            "call": call,
            "scheme_label": scheme_label(call.scheme),
            "funders": funders,
            "taking_part": set(envelopes),
            "values": values,
            "form_errors": errors or {},
            "is_open": call.state == "open",
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get("/admin/appels/{call_id}")
def call_page(call_id: int, request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "admin", "chair")
    return _call_page(request, db, actor, call_id)


@router.post("/admin/appels/{call_id}")
def edit_call(
    call_id: int, request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "admin", "chair")
    values = {key: form_text(form, key) for key in form if key != "csrf_token"}
    with db.reading() as session:
        call = calls.get_call(session, call_id)
        envelopes_before = calls.envelopes_of(session, call_id)
    try:
        errors: list[FieldError] = []
        envelopes = []
        for funder in list_funders(db):
            if not funder.active and funder.id not in envelopes_before:
                continue
            name = f"envelope.{funder.code}"
            try:
                amount = parse_money(values.get(name, ""), name, required=False)
            except InvalidInput as exc:
                errors.extend(exc.errors)
                continue
            if amount is not None:
                envelopes.append(calls.EnvelopeIn(funder.code, amount))
        for name in ("title", "opens_at", "closes_at"):
            if not values.get(name):
                errors.append(FieldError(name, "required"))
        if not envelopes:
            errors.append(FieldError("funders", "required"))
        if errors:
            raise InvalidInput(errors)
        opens_at = _moment(values["opens_at"], "opens_at")
        calls.update_call(
            db,
            actor,
            call_id,
            title=values["title"],
            # An open call keeps its opening: the field is shown, not sent.
            opens_at=None if call.state == "open" else opens_at,
            closes_at=_moment(values["closes_at"], "closes_at"),
            envelopes=envelopes,
        )
    except InvalidInput as exc:
        return _call_page(request, db, actor, call_id, values, field_errors(exc))
    except Conflict as exc:
        return _call_page(request, db, actor, call_id, values, {"funders": exc.detail})
    return redirect("/appels", "call_saved")


def _moment(raw: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput([FieldError(field, "date_expected")]) from None
