"""The visitor's cookie session and the guards of every posted form: the signed token in an
HttpOnly cookie, the double-submit CSRF token, and the text no field may hold."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData, UploadFile

from api.deps import DatabaseDep, SettingsDep
from engine.access import Actor
from engine.errors import Unauthenticated
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import shown, text_problem
from engine.services.accounts import actor_from_token
from engine.settings import Settings

SESSION_COOKIE = "cofinance_session"
CSRF_COOKIE = "cofinance_csrf"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No (valid) session cookie: the page sends the visitor to the login form."""


class CsrfRejected(Exception):
    """A form came without the token of the visitor's session."""


def _cookie_secure(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(
    response: Response, request: Request, settings: Settings, name: str, value: str
) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(request, settings),
        path="/",
    )


def csrf_token(request: Request) -> str:
    """The visitor's CSRF token (double-submit: an HttpOnly cookie echoed in every form)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


async def posted_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, once its CSRF token is checked: every POST of a page carries the token
    of the visitor's cookie, which a form posted from another site cannot know."""
    form = await request.form()
    try:
        sent = form.get(CSRF_FIELD)
        expected = request.cookies.get(CSRF_COOKIE)
        if not (isinstance(sent, str) and expected and hmac.compare_digest(sent, expected)):
            raise CsrfRejected
        refuse_bad_text(form)
        yield form
    finally:
        await form.close()  # uploaded files are spooled to temporary files


PostedForm = Annotated[FormData, Depends(posted_form)]


PASSWORD_FIELDS = frozenset({"password"})


def refuse_bad_text(form: FormData) -> None:
    """422 naming the field for text no field may hold (engine/rulebook/text.py): NUL, control
    characters other than tab and line breaks, and what UTF-8 cannot encode (a multipart form
    declaring `charset=utf-7` can carry lone surrogates). The services apply each field's own
    rule (one line or several); this guard also keeps such text out of the form shown again
    with its errors, which could not be sent back."""
    errors: list[FieldError] = []
    for name, value in form.multi_items():
        if name in PASSWORD_FIELDS:
            continue  # any character goes in a password; it is never shown back
        if isinstance(value, UploadFile):
            problem = text_problem(value.filename or "")  # a file's name: one line
        else:
            problem = text_problem(name) or text_problem(value, multiline=True)
        if problem is not None:
            errors.append(FieldError.of(shown(name), problem))
    if errors:
        raise InvalidInput(errors)


def optional_actor(request: Request, db: DatabaseDep, settings: SettingsDep) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return actor_from_token(db, token, settings)
    except Unauthenticated:
        return None


def page_actor(
    actor: Annotated[Actor | None, Depends(optional_actor)],
) -> Actor:
    if actor is None:
        raise LoginRequired
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]
MaybeActor = Annotated[Actor | None, Depends(optional_actor)]
