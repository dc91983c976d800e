"""The administrator's pages: funders, users, and the outbox of notifications."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.files import parse_money
from api.pages.french import OUTBOX_KINDS, OUTBOX_STATES, ROLES
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
from engine.notify import deliver
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.services.accounts import create_user
from engine.services.directory import list_users
from engine.services.funders import create_funder, list_funders

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


def _users_page(
    request: Request,
    db: Database,
    actor: Actor,
    page: str | None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    every = list_users(db, actor)
    pagination = Pagination(page_number(page), len(every))
    return render(
        request,
        "admin/users.html",
        {
            "items": pagination.slice(every),
            "pagination": pagination,
            "roles": list(ROLES.items()),
            "role_labels": ROLES,
            "funders": [(f.code, f.name) for f in list_funders(db)],
            "values": values or {},
            "form_errors": errors or {},
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get("/admin/utilisateurs")
def users(request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None) -> Response:
    require_role(actor, "admin")
    return _users_page(request, db, actor, page)


@router.post("/admin/utilisateurs")
def add_user(request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "admin")
    keys = ("username", "name", "email", "role", "funder", "organisation")
    values: dict[str, Any] = {k: form_text(form, k) for k in keys}
    password = form.get("password")
    try:
        create_user(
            db,
            values["username"],
            password if isinstance(password, str) else "",
            values["role"],
            name=values["name"] or None,
            email=values["email"] or None,
            funder_code=values["funder"] or None,
            organisation=values["organisation"] or None,
        )
    except InvalidInput as exc:
        return _users_page(request, db, actor, None, values, field_errors(exc))
    return redirect("/admin/utilisateurs", "user_created")


@router.get("/admin/envois")
def outbox(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    etat: str | None = None,
    page: str | None = None,
) -> Response:
    require_role(actor, "admin")
    state = etat if etat in OUTBOX_STATES else None
    pagination = Pagination(page_number(page), 0)
    listing = deliver.list_outbox(db, actor, state, pagination.offset, pagination.size)
    return render(
        request,
        "admin/outbox.html",
        {
            "items": listing["items"],
            "pagination": Pagination(pagination.page, listing["total"]),
            "states": OUTBOX_STATES,
            "kinds": OUTBOX_KINDS,
            "chosen_state": state or "",
        },
        actor=actor,
    )


@router.post("/admin/envois/{message_id}/relancer")
def retry(message_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    deliver.retry_message(db, actor, message_id)
    return redirect("/admin/envois?etat=pending", "retried")
