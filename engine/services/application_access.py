"""Loading an application the actor may see, and the states in which its holder may edit it."""

from __future__ import annotations

from sqlmodel import Session, select

from engine.access import Actor, can_see_application
from engine.errors import Forbidden, NotFound
from engine.models import Application, Document, Share
from workflows.application import APPLICATION

EDITABLE = APPLICATION.tagged("editable")


def load(session: Session, application_id: int, actor: Actor) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("not_found.application", id=application_id)
    funder_ids = session.exec(select(Share.funder_id).where(Share.application_id == application_id))
    if not can_see_application(actor, application, funder_ids):
        raise Forbidden("forbidden.not_yours")
    return application


def joined_kinds(session: Session, application: Application) -> set[str]:
    """The kinds of document the application has joined."""
    return set(session.exec(select(Document.kind).where(Document.application_id == application.id)))
