"""The administrator's user pages: the list, adding one, editing, (de)activating, resetting."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep, SettingsDep
from api.pages.french import ROLES
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
from engine.models import User
from engine.rulebook import FieldError, InvalidInput
from engine.services import accounts, password_reset
from engine.services.accounts import create_user
from engine.services.directory import list_users
from engine.services.funders import list_funders

router = APIRouter(route_class=PageRoute)


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


# ---------------------------------------------------------------- editing a user


def _user_form(
    request: Request,
    db: Database,
    actor: Actor,
    user_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user = accounts.read_user(db, actor, user_id)
    return render(
        request,
        "admin/user_form.html",
        {
            "user": user,
            "values": values if values is not None else {k: v or "" for k, v in user.items()},
            "form_errors": errors or {},
            "roles": list(ROLES.items()),
            "funders": [(f.code, f.name) for f in list_funders(db)],
            "has_title": "title" in User.model_fields,
            "is_self": user_id == actor.id,
        },
        actor=actor,
        status_code=422 if errors else status_code,
    )


@router.get("/admin/utilisateurs/{user_id}")
def user_page(user_id: int, request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "admin")
    return _user_form(request, db, actor, user_id)


@router.post("/admin/utilisateurs/{user_id}")
def edit_user(
    user_id: int, request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "admin")
    keys = ("name", "email", "role", "funder", "organisation", "title")
    values: dict[str, Any] = {k: form_text(form, k) for k in keys}
    changes: dict[str, Any] = {
        "name": values["name"],
        "email": values["email"] or None,
        "role": values["role"] or None,
        "funder_code": values["funder"] or None,
        "organisation": values["organisation"] or None,
    }
    if "title" in User.model_fields:
        changes["title"] = values["title"] or None
    try:
        if not values["name"]:
            raise InvalidInput([FieldError("name", "required")])
        accounts.update_user(db, actor, user_id, **changes)
    except InvalidInput as exc:
        return _user_form(request, db, actor, user_id, values, field_errors(exc))
    return redirect(f"/admin/utilisateurs/{user_id}", "user_saved")


@router.post("/admin/utilisateurs/{user_id}/{action}")
def act_on_user(
    user_id: int,
    action: str,
    form: PostedForm,
    db: DatabaseDep,
    settings: SettingsDep,
    actor: PageActor,
) -> Response:
    require_role(actor, "admin")
    if action == "desactiver":
        accounts.set_user_active(db, actor, user_id, False)
        return redirect(f"/admin/utilisateurs/{user_id}", "user_deactivated")
    if action == "reactiver":
        accounts.set_user_active(db, actor, user_id, True)
        return redirect(f"/admin/utilisateurs/{user_id}", "user_reactivated")
    if action == "mot-de-passe":
        password_reset.admin_password_reset(db, settings, actor, user_id)
        return redirect(f"/admin/utilisateurs/{user_id}", "reset_sent")
    raise NotFound("not_found")
