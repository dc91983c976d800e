"""What every page shares: templates, cookie sessions, CSRF, error pages, pagination, labels.

Pages are thin like the JSON routes: parse the form, authorise, call one service, render. The
cookie holds the same signed token the API hands out as a bearer token (`accounts.issue_token`),
so a page session ends exactly when a token would (expiry, password change).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import FormData, UploadFile

from api.deps import DatabaseDep, SettingsDep
from api.errors import log_refusal, status_of
from api.pages.forms import field_label
from api.pages.french import STATUS_TITLES
from engine.access import Actor
from engine.errors import ServiceError, Unauthenticated
from engine.formatting import format_date, format_money, format_percent
from engine.messages import render as render_message
from engine.rulebook import FieldError, InvalidInput, ParameterGap
from engine.rulebook.text import shown, text_problem
from engine.services.accounts import actor_from_token
from engine.settings import Settings
from workflows import ALL as WORKFLOWS

SESSION_COOKIE = "cofinance_session"
CSRF_COOKIE = "cofinance_csrf"
CSRF_FIELD = "csrf_token"
PAGE_SIZE = 20
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


# ---------------------------------------------------------------- formatting filters


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any) -> str:
    """`"1234.5"` (JSON money) or a Decimal → `1 234,50 €`; `—` when absent."""
    return format_money(_decimal(value))


def day(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        parsed: date | datetime = (
            datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        )
        return format_date(parsed)
    return format_date(value)


def percent(value: Any) -> str:
    number = _decimal(value)
    return "—" if number is None else format_percent(number)


def state_label(state: str | None, workflow: str = "application") -> str:
    """The French label of a state, as the workflow data gives it."""
    if not state:
        return "—"
    return WORKFLOWS[workflow].state(state).label


def transition_label(workflow: str, trigger: str) -> str:
    for transition in WORKFLOWS[workflow].transitions:
        if transition.trigger == trigger:
            return transition.label
    raise KeyError(trigger)


# Colour of a state's badge (presentation only; the words come from the workflows).
_BADGES = {
    "application": {
        "draft": "new",
        "eligible": "success",
        "ineligible": "error",
        "incomplete": "warning",
        "scheduled": "info",
        "decided": "info",
        "notified": "success",
    },
    "share": {
        "proposed": "info",
        "granted": "success",
        "refused": "error",
        "deferred": "warning",
    },
    "call": {"draft": "new", "open": "success"},
    "session": {"planned": "new", "convened": "info", "open": "success", "cancelled": "error"},
}


def badge_class(state: str | None, workflow: str = "application") -> str:
    severity = _BADGES.get(workflow, {}).get(state or "")
    return f"fr-badge--{severity}" if severity else ""


def iso_input(value: Any) -> str:
    """A datetime for an `<input type="datetime-local">` or a date for `type="date"`."""
    if not value:
        return ""
    return str(value)[:16]


_env.filters.update(
    money=money,
    day=day,
    percent=percent,
    state_label=state_label,
    badge_class=badge_class,
    iso_input=iso_input,
)
_env.globals.update(transition_label=transition_label, workflows=WORKFLOWS)


# ---------------------------------------------------------------- page errors


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


# Confirmations shown after a redirect (`?ok=<key>`): fixed French sentences, never user text.
MESSAGES = {
    "created": "La demande est enregistrée en brouillon.",
    "saved": "Les modifications sont enregistrées.",
    "uploaded": "La pièce est jointe au dossier.",
    "submitted": "La demande est déposée : les vérifications ont été faites.",
    "withdrawn": "La demande est retirée.",
    "proposed": "Votre proposition est enregistrée.",
    "decided": "La décision est enregistrée.",
    "documents_requested": "Les pièces complémentaires sont demandées au porteur.",
    "overridden": "Le dossier est déclaré recevable.",
    "call_created": "L'appel à projets est créé.",
    "call_moved": "L'état de l'appel à projets a changé.",
    "session_created": "La séance est créée.",
    "agenda": "L'ordre du jour est enregistré.",
    "convened": "La séance est convoquée : les convocations sont produites et envoyées.",
    "opened": "La séance est ouverte.",
    "closed": "La séance est close et ses décisions arrêtées : les lettres et le procès-verbal "
    "sont produits dans la foulée.",
    "cancelled": "La séance est annulée.",
    "funder_created": "Le financeur est créé.",
    "user_created": "Le compte est créé.",
    "retried": "L'envoi est relancé : il repart avec le prochain passage de la file.",
    "logged_out": "Vous êtes déconnecté.",
}


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


# ---------------------------------------------------------------- navigation and lists


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str


def navigation(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    items = {
        "applicant": [
            NavItem("/demandes", "Mes demandes"),
            NavItem("/demandes/nouvelle", "Nouvelle demande"),
        ],
        "funder": [
            NavItem("/financeur/dossiers", "Dossiers à instruire"),
            NavItem("/financeur/enveloppes", "Mes enveloppes"),
            NavItem("/seances", "Séances"),
        ],
        "chair": [
            NavItem("/tableau-de-bord", "Tableau de bord"),
            NavItem("/comite/dossiers", "Dossiers"),
            NavItem("/appels", "Appels à projets"),
            NavItem("/seances", "Séances"),
        ],
        "admin": [
            NavItem("/tableau-de-bord", "Tableau de bord"),
            NavItem("/admin/financeurs", "Financeurs"),
            NavItem("/appels", "Appels à projets"),
            NavItem("/admin/utilisateurs", "Utilisateurs"),
            NavItem("/admin/envois", "Envois"),
        ],
    }
    return items.get(actor.role, [])


def home_of(actor: Actor) -> str:
    return navigation(actor)[0].href if navigation(actor) else "/connexion"


@dataclass(frozen=True)
class Pagination:
    page: int
    total: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def slice(self, items: Sequence[Any]) -> list[Any]:
        return list(items[self.offset : self.offset + self.size])


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def page_link(request: Request, number: int) -> str:
    query = dict(request.query_params)
    query.pop("ok", None)
    query["page"] = str(number)
    return f"{request.url.path}?{urlencode(query)}"


_env.globals.update(page_link=page_link)


def form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def field_errors(exc: InvalidInput, prefix: str = "") -> dict[str, str]:
    """Errors of a service keyed by the form field they belong to, in French."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        name = error.field.removeprefix(prefix) if prefix else error.field
        errors.setdefault(name, error.message)
    return errors
