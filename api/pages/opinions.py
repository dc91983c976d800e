"""Opinions on the pages: the list and the form on a funder's file page, the opinions beside
each plan of the session screen, and the session pack to download."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.web import PageActor, PageRoute, PostedForm, field_errors, form_text, redirect
from api.routes.sessions import pdf_response
from engine.access import Actor
from engine.db import Database
from engine.rulebook import InvalidInput
from engine.services import opinions
from engine.services.session_pack import session_pack_pdf

router = APIRouter(route_class=PageRoute)
# The form's own names: the proposal form of the same page already has a `comment` field.
FORM_FIELDS = {"opinion": "opinion", "comment": "opinion_comment"}


def opinion_context(db: Database, actor: Actor, application_id: int) -> dict[str, Any]:
    """What the file page shows of the opinions: every one given, and the viewer's form."""
    if actor.role == "applicant":
        # Opinions prepare the committee's deliberation: the holder's page shows none.
        return {"opinions": [], "my_opinion": None, "can_give_opinion": False}
    lines = opinions.application_opinions(db, actor, application_id)
    mine = next((x for x in lines if x.user_id == actor.id), None)
    return {
        "opinions": lines,
        "my_opinion": mine,
        "can_give_opinion": opinions.opinions_open(db, actor, application_id),
        "opinion_choices": list(opinions.OPINIONS.items()),
    }


@router.post("/dossiers/{application_id}/parts/{funder}/avis")
def give(
    request: Request,
    application_id: int,
    funder: str,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
) -> Response:
    from api.pages.files import show_file

    opinion = form_text(form, "opinion")
    comment = form_text(form, "opinion_comment") or None
    try:
        opinions.give_opinion(db, actor, application_id, funder, opinion, comment)
    except InvalidInput as exc:
        errors = {FORM_FIELDS.get(k, k): v for k, v in field_errors(exc).items()}
        return show_file(
            request,
            db,
            actor,
            application_id,
            errors={"opinion": errors},
            values={"opinion": {"opinion": opinion, "opinion_comment": comment or ""}},
        )
    return redirect(f"/dossiers/{application_id}#avis", "opinion_given")


@router.get("/seances/{session_id}/dossier-de-seance")
def pack(session_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    return pdf_response(session_pack_pdf(db, actor, session_id), f"dossier-seance-{session_id}.pdf")
