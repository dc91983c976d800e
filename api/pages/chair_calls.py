"""The chair's pages on files and calls for projects: every file, the calls, a new call."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.files import funder_names, parse_money, scheme_label
from api.pages.funder import calls_for, inbox
from api.pages.web import (
    PageActor,
    PageRoute,
    Pagination,
    PostedForm,
    field_errors,
    form_text,
    page_number,
    redirect,
    render,
)
from engine.access import Actor, require_role
from engine.db import Database
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.services import calls
from engine.services.calls import EnvelopeIn
from engine.services.funders import list_funders
from workflows.call import CALL

router = APIRouter(route_class=PageRoute)


def parse_datetime(raw: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput([FieldError(field, "date_expected")]) from None


@router.get("/comite/dossiers")
def all_files(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    appel: str | None = None,
    etat: str | None = None,
    page: str | None = None,
) -> Response:
    require_role(actor, "chair", "admin")
    return inbox(request, db, actor, appel, etat, page, "inbox.html")


@router.get("/appels")
def list_calls(
    request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None
) -> Response:
    require_role(actor, "chair", "admin")
    every = calls_for(db, actor)
    pagination = Pagination(page_number(page), len(every))
    items = pagination.slice(every)
    for call in items:
        call["scheme_label"] = scheme_label(call["scheme"])
        call["envelope_total"] = sum((Decimal(f["envelope"]) for f in call["funders"]), Decimal(0))
        call["triggers"] = [
            t for t in ("open", "close") if CALL.allowed(t, call["state"], actor.role)
        ]
    return render(
        request,
        "chair/calls.html",
        {"items": items, "pagination": pagination, "funder_names": funder_names(db)},
        actor=actor,
    )


def _call_form(
    request: Request,
    db: Database,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    schemes = [(code, m.label) for code, m in default_registry().schemes.items()]
    return render(
        request,
        "chair/call_form.html",
        {
            "schemes": schemes,
            "funders": list_funders(db, active_only=True),  # a deactivated one joins no call
            "values": values,
            "form_errors": errors or {},
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get("/appels/nouveau")
def new_call(request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "chair", "admin")
    return _call_form(request, db, actor, {})


@router.post("/appels/nouveau")
def create_call(request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "chair", "admin")
    values = {key: form_text(form, key) for key in form if key != "csrf_token"}
    try:
        errors: list[FieldError] = []
        envelopes = []
        for funder in list_funders(db, active_only=True):
            raw = values.get(f"envelope.{funder.code}", "")
            try:
                amount = parse_money(raw, f"envelope.{funder.code}", required=False)
            except InvalidInput as exc:
                errors.extend(exc.errors)
                continue
            if amount is not None:
                envelopes.append(EnvelopeIn(funder.code, amount))
        for name in ("title", "opens_at", "closes_at", "scheme"):
            if not values.get(name):
                errors.append(FieldError(name, "required"))
        if not envelopes:
            errors.append(FieldError("funders", "required"))
        if errors:
            raise InvalidInput(errors)
        call = calls.create_call(
            db,
            actor,
            values["scheme"],
            values["title"],
            parse_datetime(values["opens_at"], "opens_at"),
            parse_datetime(values["closes_at"], "closes_at"),
            envelopes,
        )
    except InvalidInput as exc:
        return _call_form(request, db, actor, values, field_errors(exc))
    return redirect(f"/appels?appel={call.id}", "call_created")


@router.post("/appels/{call_id}/{trigger}")
def move_call(
    call_id: int, trigger: str, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    moves = {"ouvrir": calls.open_call, "clore": calls.close_call}
    if trigger not in moves:
        return redirect("/appels")
    moves[trigger](db, actor, call_id)
    return redirect("/appels", "call_moved")
