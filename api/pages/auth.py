"""Signing in and out of the pages: a cookie session holding the API's own signed token."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import DatabaseDep, SettingsDep
from api.errors import status_of
from api.pages.web import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    MaybeActor,
    PageRoute,
    PostedForm,
    field_errors,
    form_text,
    home_of,
    redirect,
    render,
    set_cookie,
)
from engine.access import Actor
from engine.errors import TooManyAttempts, Unauthenticated
from engine.messages import render as render_message
from engine.rulebook import InvalidInput
from engine.services import password_reset
from engine.services.accounts import issue_token
from engine.services.signin import sign_in, sign_out

router = APIRouter(route_class=PageRoute)
Form = PostedForm
SENT = "password_reset.sent"


def _safe_next(target: str) -> str | None:
    """Only a path of this site (never `//host` or `https://…`)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/")
def home(actor: MaybeActor) -> Response:
    return redirect(home_of(actor) if actor else "/connexion")


@router.get("/connexion")
def login_form(request: Request, actor: MaybeActor, suivant: str = "") -> Response:
    if actor is not None:
        return redirect(home_of(actor))
    return render(request, "login.html", {"next": suivant, "username": ""})


@router.post("/connexion")
def login(request: Request, form: Form, db: DatabaseDep, settings: SettingsDep) -> Response:
    username = form_text(form, "username")
    password = form.get("password")
    address = request.client.host if request.client else "unknown"
    try:
        user = sign_in(
            db, settings, username, password if isinstance(password, str) else "", address
        )
    except (Unauthenticated, TooManyAttempts) as exc:
        throttled = isinstance(exc, TooManyAttempts)
        page = render(
            request,
            "login.html",
            {
                "next": form_text(form, "suivant"),
                "username": username,
                "login_error": exc.detail
                if throttled
                else render_message("unauthenticated.credentials"),
            },
            status_code=status_of(exc),
        )
        if isinstance(exc, TooManyAttempts):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    target = _safe_next(form_text(form, "suivant")) or home_of(Actor.of(user))
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, request, settings, SESSION_COOKIE, issue_token(user, settings))
    # A new CSRF token with the new session: one seen before signing in is worth nothing now.
    set_cookie(response, request, settings, CSRF_COOKIE, secrets.token_urlsafe(32))
    return response


@router.post("/deconnexion")
def logout(form: Form, db: DatabaseDep, actor: MaybeActor) -> Response:
    if actor is not None:
        sign_out(db, actor)  # as the API's logout: every token of this user stops working
    response = redirect("/connexion", "logged_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


# ---------------------------------------------------------------- a forgotten password


@router.get("/mot-de-passe/oublie")
def forgotten_form(request: Request, actor: MaybeActor) -> Response:
    return render(
        request, "password_forgotten.html", {"username": "", "sent": None, "form_errors": {}}
    )


@router.post("/mot-de-passe/oublie")
def forgotten(request: Request, form: Form, db: DatabaseDep, settings: SettingsDep) -> Response:
    username = form_text(form, "username")
    address = request.client.host if request.client else "unknown"
    try:
        password_reset.request_password_reset(db, settings, username, address)
    except InvalidInput as exc:
        return render(
            request,
            "password_forgotten.html",
            {"username": username, "sent": None, "form_errors": field_errors(exc)},
            status_code=422,
        )
    except TooManyAttempts as exc:
        page = render(
            request,
            "password_forgotten.html",
            {"username": username, "sent": None, "page_error": exc.detail, "form_errors": {}},
            status_code=429,
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    # The same page whether an account matched or not.
    return render(
        request,
        "password_forgotten.html",
        {"username": "", "sent": render_message(SENT), "form_errors": {}},
    )


def _new_password_page(
    request: Request, token: str, valid: bool, errors: dict[str, str] | None = None
) -> Response:
    return render(
        request,
        "password_new.html",
        {"token": token, "valid": valid, "form_errors": errors or {}},
        status_code=422 if errors else 200,
    )


@router.get("/mot-de-passe/nouveau")
def new_password_form(request: Request, db: DatabaseDep, jeton: str = "") -> Response:
    valid = bool(jeton) and password_reset.check_reset_token(db, jeton)
    return _new_password_page(request, jeton, valid)


@router.post("/mot-de-passe/nouveau")
def new_password(request: Request, form: Form, db: DatabaseDep) -> Response:
    token = form_text(form, "token")
    password = form.get("password")
    again = form.get("password_confirm")
    password = password if isinstance(password, str) else ""
    if password != (again if isinstance(again, str) else ""):
        valid = password_reset.check_reset_token(db, token)
        return _new_password_page(
            request, token, valid, {"password_confirm": render_message("passwords_differ")}
        )
    try:
        password_reset.confirm_password_reset(db, token, password)
    except InvalidInput as exc:
        errors = field_errors(exc)
        if "token" in errors:
            return _new_password_page(request, token, False, errors)
        return _new_password_page(request, token, True, errors)
    response = redirect("/connexion", "password_changed")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
