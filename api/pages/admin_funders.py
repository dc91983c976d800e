"""The administrator's funder pages: the list, adding one, editing and (de)activating one."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.files import parse_money
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
from engine.errors import NotFound
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.services.funders import (
    create_funder,
    get_funder,
    list_funders,
    set_funder_active,
    update_funder,
)

router = APIRouter(route_class=PageRoute)


def _funders_page(
    request: Request,
    db: Database,
    actor: Actor,
    page: str | None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    every = list_funders(db)
    pagination = Pagination(page_number(page), len(every))
    # The installed funder modules, each under its French label (FunderModule.label).
    kinds = {code: module.label for code, module in default_registry().funders.items()}
    return render(
        request,
        "admin/funders.html",
        {
            "items": pagination.slice(every),
            "pagination": pagination,
            "kinds": list(kinds.items()),
            "kind_labels": kinds,
            "values": values or {},
            "form_errors": errors or {},
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get("/admin/financeurs")
def funders(
    request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None
) -> Response:
    require_role(actor, "admin")
    return _funders_page(request, db, actor, page)


@router.post("/admin/financeurs")
def add_funder(request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "admin")
    values = {
        k: form_text(form, k) for k in ("code", "name", "kind", "insee", "email", "advance_rate")
    }
    try:
        missing = [FieldError(k, "required") for k in ("code", "name", "kind") if not values[k]]
        if missing:
            raise InvalidInput(missing)
        rate = values["advance_rate"].replace(",", ".").replace("%", "").strip()
        create_funder(
            db,
            actor,
            values["code"],
            values["name"],
            values["kind"],
            insee=values["insee"] or None,
            email=values["email"] or None,
            advance_rate=parse_money(rate, "advance_rate", required=False) if rate else None,
        )
    except InvalidInput as exc:
        return _funders_page(request, db, actor, None, values, field_errors(exc))
    return redirect("/admin/financeurs", "funder_created")


# ---------------------------------------------------------------- editing a funder


def _funder_form(
    request: Request,
    db: Database,
    actor: Actor,
    code: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    funder = get_funder(db, code)
    kinds = {k: module.label for k, module in default_registry().funders.items()}
    current = {
        "name": funder.name,
        "kind": funder.kind,
        "insee": funder.insee or "",
        "email": funder.email or "",
        "advance_rate": "" if funder.advance_rate is None else str(funder.advance_rate),
        "siret": funder.siret or "",
    }
    return render(
        request,
        "admin/funder_form.html",
        {
            "funder": funder,
            "values": values if values is not None else current,
            "form_errors": errors or {},
            "kinds": list(kinds.items()),
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get("/admin/financeurs/{code}")
def funder_page(code: str, request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "admin")
    return _funder_form(request, db, actor, code)


@router.post("/admin/financeurs/{code}")
def edit_funder(
    code: str, request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "admin")
    fields = ("name", "kind", "insee", "email", "advance_rate", "siret")
    values = {k: form_text(form, k) for k in fields}
    try:
        missing = [FieldError(k, "required") for k in ("name", "kind") if not values[k]]
        if missing:
            raise InvalidInput(missing)
        rate = values["advance_rate"].replace(",", ".").replace("%", "").strip()
        update_funder(
            db,
            actor,
            code,
            name=values["name"],
            kind=values["kind"],
            insee=values["insee"] or None,
            email=values["email"] or None,
            advance_rate=parse_ratio(rate) if rate else None,
            siret=values["siret"] or None,
        )
    except InvalidInput as exc:
        return _funder_form(request, db, actor, code, values, field_errors(exc))
    return redirect(f"/admin/financeurs/{code}", "funder_saved")


def parse_ratio(raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput([FieldError("advance_rate", "ratio")]) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise InvalidInput([FieldError("advance_rate", "ratio")])
    return value


@router.post("/admin/financeurs/{code}/{action}")
def act_on_funder(
    code: str, action: str, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "admin")
    if action == "desactiver":
        set_funder_active(db, actor, code, False)
        return redirect(f"/admin/financeurs/{code}", "funder_deactivated")
    if action == "reactiver":
        set_funder_active(db, actor, code, True)
        return redirect(f"/admin/financeurs/{code}", "funder_reactivated")
    raise NotFound("not_found")
