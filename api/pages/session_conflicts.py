"""Conflicts of interest on the pages: the marks on the session screen's files, the form a
member declares its own with (the chair records one for a member), and the member's page of
its declarations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.web import (
    PageActor,
    PageRoute,
    PostedForm,
    field_errors,
    form_text,
    redirect,
    render,
)
from engine.access import Actor
from engine.db import Database
from engine.errors import Conflict
from engine.rulebook import InvalidInput
from engine.services import conflicts
from engine.services.common import member_with_funder
from engine.services.conflicts import ConflictLine

router = APIRouter(route_class=PageRoute)
OPEN_TO_DECLARATIONS = ("planned", "convened", "open")


def conflict_marks(db: Database, actor: Actor, session_id: int) -> dict[int, str]:
    """By file of the agenda: « Conflit d'intérêts : X ne prend pas part », for the plans."""
    by_file: dict[int, list[str]] = {}
    for line in conflicts.session_conflicts(db, actor, session_id):
        by_file.setdefault(line.application_id, []).append(
            member_with_funder(line.user_name, line.funder_name)
        )
    return {
        application_id: "Conflit d'intérêts : "
        + ", ".join(names)
        + (" ne prend pas part" if len(names) == 1 else " ne prennent pas part")
        + " à la décision."
        for application_id, names in by_file.items()
    }


def add_conflicts(db: Database, actor: Actor, context: dict[str, Any]) -> None:
    """What the session screen shows of the conflicts: the list, the declaration form (a
    member declares for itself, the chair picks the member), and no decision form on a file
    the viewer is conflicted on."""
    meeting = context["meeting"]
    lines = conflicts.session_conflicts(db, actor, meeting["id"])
    mine = {line.application_id for line in lines if line.user_id == actor.id}
    for decision in context.get("decisions", []):
        if decision["item"]["id"] in mine:
            decision["form"] = False
            decision["recused"] = True
    members: list[tuple[str, str]] = []
    if actor.role == "chair":
        members = conflicts.session_members(db, actor, meeting["id"])
    context.update(
        {
            "conflicts": lines,
            "conflict_form": actor.role in ("chair", "funder")
            and meeting["state"] in OPEN_TO_DECLARATIONS
            and bool(meeting["agenda"]),
            "conflict_members": members,
        }
    )


@router.post("/seances/{session_id}/conflits")
def declare(
    request: Request, session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    from api.pages.session_screen import session_page

    application_id = form_text(form, "application_id")
    user = form_text(form, "user") if actor.role == "chair" else conflicts.username_of(db, actor)
    try:
        conflicts.declare_conflict(
            db,
            actor,
            session_id,
            int(application_id) if application_id.isdigit() else 0,
            user,
            form_text(form, "reason"),
        )
    except InvalidInput as exc:
        return session_page(request, db, actor, session_id, {"conflict": field_errors(exc)})
    except Conflict as exc:
        return session_page(request, db, actor, session_id, alert=exc.detail, status_code=409)
    done = "conflict_recorded" if actor.role == "chair" else "conflict_declared"
    return redirect(f"/seances/{session_id}#conflits", done)


@router.get("/mes-declarations-interets")
def my_declarations(request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    """A member's conflicts of interest, session by session."""
    rows: list[tuple[Any, ConflictLine]] = conflicts.my_declarations(db, actor)
    return render(request, "funder/declarations.html", {"rows": rows}, actor=actor)
