"""In session: a funder's decisions (and their corrections until the close), the chair's
deferral of an absent funder's share, and the close, confirmed first (no script needed); a close
refused because shares are undecided lists them, with links to their files."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep, SettingsDep
from api.pages import reads
from api.pages.files import parse_money
from api.pages.session_screen import session_page
from api.pages.web import (
    PageActor,
    PageRoute,
    PostedForm,
    field_errors,
    form_text,
    redirect,
    render,
)
from engine.access import Actor, require_role
from engine.db import Database
from engine.errors import Conflict
from engine.rulebook import InvalidInput
from engine.services import decisions
from engine.services import sessions as service

router = APIRouter(route_class=PageRoute)


@router.post("/seances/{session_id}/decisions")
def decide(
    request: Request, session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    application_id = form_text(form, "application_id")
    funder = form_text(form, "funder")
    outcome = form_text(form, "outcome")
    deferral = actor.role == "chair"
    key = f"{'report' if deferral else 'decision'}-{application_id}-{funder}"
    try:
        amount = parse_money(form_text(form, "amount"), "amount", required=False)
        _, corrected = decisions.decide(
            db,
            actor,
            session_id,
            int(application_id) if application_id.isdigit() else 0,
            funder,
            outcome,
            amount if outcome == "granted" else None,
            form_text(form, "conditions") or None,
            form_text(form, "reason") or None,
        )
    except InvalidInput as exc:
        return session_page(request, db, actor, session_id, {key: field_errors(exc)})
    except Conflict as exc:  # the funder absent, the member conflicted: said on the screen
        return session_page(request, db, actor, session_id, alert=exc.detail, status_code=409)
    if deferral:
        return redirect(f"/seances/{session_id}#cloture", "deferred_absent")
    return redirect(f"/seances/{session_id}#decisions", "corrected" if corrected else "decided")


def _close_page(
    request: Request,
    db: Database,
    actor: Actor,
    session_id: int,
    *,
    error: str | None = None,
    refused: str | None = None,
    status_code: int = 200,
) -> Response:
    meeting = reads.session(db, actor, session_id)
    context: dict[str, Any] = {
        "meeting": meeting,
        "pending": service.pending_decisions(db, actor, session_id),
        "confirm_error": error,
        "refused": refused,
    }
    return render(request, "chair/close.html", context, actor=actor, status_code=status_code)


@router.get("/seances/{session_id}/cloture")
def confirm_close(request: Request, session_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    """The confirmation step before the close: what it does, what it still waits for."""
    require_role(actor, "chair")
    if reads.session(db, actor, session_id)["state"] != "open":
        return redirect(f"/seances/{session_id}")
    return _close_page(request, db, actor, session_id)


@router.post("/seances/{session_id}/close")
def close_session(
    request: Request,
    session_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    require_role(actor, "chair")
    if form_text(form, "confirm") != "oui":
        message = "Cochez la case pour confirmer la clôture de la séance."
        return _close_page(request, db, actor, session_id, error=message, status_code=422)
    try:
        service.close_session(db, actor, session_id, settings)  # letters: in the background
    except Conflict as exc:
        if exc.message_code != "undecided_shares":
            raise
        return _close_page(request, db, actor, session_id, refused=exc.detail, status_code=409)
    return redirect(f"/seances/{session_id}", "closed")
