"""What every page shares: templates, rendering, error pages (the filters are in filters.py, the
cookie session and CSRF in session.py, pagination and form helpers in lists.py, the menus in
navigation.py, the confirmations after a redirect in flash.py).

Pages are thin like the JSON routes: parse the form, authorise, call one service, render. The
cookie holds the same signed token the API hands out as a bearer token (`accounts.issue_token`),
so a page session ends exactly when a token would (expiry, password change).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm.exc import StaleDataError

from api.deps import SettingsDep
from api.errors import log_refusal, status_of
from api.pages.filters import (  # noqa: F401  (re-exported: pages import them from here)
    badge_class,
    day,
    iso_input,
    money,
    percent,
    quantity,
    state_label,
    transition_label,
)
from api.pages.filters import install as install_filters
from api.pages.flash import MESSAGES
from api.pages.forms import field_label
from api.pages.french import STATUS_TITLES
from api.pages.lists import (  # noqa: F401  (re-exported: pages import them from here)
    PAGE_SIZE,
    Pagination,
    field_errors,
    form_text,
    page_link,
    page_number,
)
from api.pages.navigation import (  # noqa: F401  (re-exported: pages import them from here)
    NavItem,
    home_of,
    navigation,
)
from api.pages.session import (  # noqa: F401  (re-exported: pages import them from here)
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    CsrfRejected,
    LoginRequired,
    MaybeActor,
    PageActor,
    PostedForm,
    csrf_token,
    set_cookie,
)
from engine.access import Actor
from engine.errors import ServiceError
from engine.messages import render as render_message
from engine.rulebook import InvalidInput, ParameterGap
from engine.settings import Settings

# Scripts only from this site; the DSFR's script sets a few inline styles (menus, accordions).
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)


# The filters live in api/pages/filters.py; their names stay importable from here.
install_filters(_env)


# ---------------------------------------------------------------- page errors


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    actor: Actor | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    settings: Settings = request.state.settings
    token = csrf_token(request)
    nav = navigation(actor)
    path = request.url.path
    current = [i.href for i in nav if path == i.href or path.startswith(i.href + "/")]
    full = {
        "request": request,
        "actor": actor,
        "settings": settings,
        "csrf_field": CSRF_FIELD,
        "csrf_token": token,
        "nav": nav,
        "current_nav": max(current, key=len) if current else None,
        "path": path,
        "errors": {},
        "message": MESSAGES.get(request.query_params.get("ok", "")),
        **context,
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    if getattr(request.state, "new_csrf", None):
        set_cookie(response, request, settings, CSRF_COOKIE, token)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


def error_page(request: Request, status: int, detail: str | None = None) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": STATUS_TITLES.get(status, "Une erreur est survenue"),
            "detail": detail or None,
        },
        actor=actor,
        status_code=status,
    )


def redirect(url: str, ok: str | None = None) -> RedirectResponse:
    """See other page (after a POST), with the key of a confirmation to show there."""
    path, hash_, fragment = url.partition("#")
    if ok:
        path += ("&" if "?" in path else "?") + urlencode({"ok": ok})
    return RedirectResponse(path + hash_ + fragment, status_code=303)


class PageRoute(APIRoute):
    """Routes of the pages: errors become French HTML pages, never JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                return RedirectResponse(f"/connexion?suivant={quote(target)}", status_code=303)
            except CsrfRejected:
                return error_page(request, 403, render_message("forbidden.csrf"))
            except InvalidInput as exc:
                detail = " ; ".join(f"{field_label(e.field)} : {e.message}" for e in exc.errors)
                return error_page(request, 422, detail)
            except ParameterGap as exc:
                return error_page(request, 422, render_message(exc.code, exc.params))
            except ServiceError as exc:
                status = status_of(exc)
                if status == 403:
                    log_refusal(request, exc.message_code)
                return error_page(request, status, exc.detail)
            except StaleDataError:
                return error_page(request, 409, render_message("stale_version"))

        return page_handler


async def settings_on_request(request: Request, settings: SettingsDep) -> None:
    """Make the settings (and so the brand block) known to every template."""
    request.state.settings = settings


async def remember_actor(request: Request, actor: MaybeActor) -> None:
    request.state.actor = actor


# Lists and form helpers live in api/pages/lists.py; their names stay importable from here.
_env.globals.update(page_link=page_link)
