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
    form_text,
    home_of,
    redirect,
    render,
    set_cookie,
)
from engine.access import Actor
from engine.errors import TooManyAttempts, Unauthenticated
from engine.messages import render as render_message
from engine.services.accounts import issue_token
from engine.services.signin import sign_in, sign_out

router = APIRouter(route_class=PageRoute)
Form = PostedForm


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
