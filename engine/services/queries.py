"""Read-side use cases: what a user may list and see, scoped to who they are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.access import Actor
from engine.db import Database
from engine.errors import Forbidden
from engine.models import Application, CommitteeSession, Event, Letter, Share
from engine.rulebook.text import require_text
from engine.services.applications import load
from engine.services.calls import envelopes_of
from engine.views import application_json, event_json, summaries_json


def application_view(db: Database, actor: Actor, application_id: int) -> dict[str, Any]:
    with db.reading() as session:
        return application_json(session, load(session, application_id, actor))


def list_applications(
    db: Database,
    actor: Actor,
    call_id: int | None = None,
    state: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any]:
    where: list[Any] = []
    if actor.role == "applicant":
        where.append(Application.organisation_id == actor.organisation_id)
    elif actor.role == "funder":
        asked = select(Share.application_id).where(Share.funder_id == actor.funder_id)
        where.append(col(Application.submitted_at).is_not(None))
        where.append(col(Application.id).in_(asked))
    elif not actor.is_staff:
        raise Forbidden("no applications for this role")
    require_text({"state": state})
    if call_id is not None:
        where.append(Application.call_id == call_id)
    if state is not None:
        where.append(Application.state == state)
    with db.reading() as session:
        # One page in SQL, and its total: two queries, then three for the page's details.
        total = session.exec(select(func.count()).select_from(Application).where(*where)).one()
        page = select(Application).where(*where).order_by(col(Application.id))
        items = summaries_json(session, page.offset(offset).limit(limit))
    return {"items": items, "total": total, "offset": offset, "limit": limit}


def application_events(db: Database, actor: Actor, application_id: int) -> list[dict[str, Any]]:
    with db.reading() as session:
        load(session, application_id, actor)
        events = list(
            session.exec(
                select(Event).where(Event.application_id == application_id).order_by(col(Event.id))
            )
        )
        labels = actor_labels(session, {e.actor_id for e in events if e.actor_id is not None})
        return [
            {**event_json(e), "actor": labels.get(e.actor_id or 0, "cofinance (automatique)")}
            for e in events
        ]


def actor_labels(session: Any, user_ids: set[int]) -> dict[int, str]:
    """Who acted, as the holder may read it: the body they act for, not a caseworker's name."""
    from engine.models import Funder, Organisation, User

    if not user_ids:
        return {}
    users = list(session.exec(select(User).where(col(User.id).in_(user_ids))))
    funders = {f.id: f.name for f in session.exec(select(Funder))}
    organisations = {
        o.id: o.name
        for o in session.exec(
            select(Organisation).where(
                col(Organisation.id).in_({u.organisation_id for u in users if u.organisation_id})
            )
        )
    }
    labels = {}
    for user in users:
        if user.role == "funder":
            label = funders.get(user.funder_id, "un financeur")
        elif user.role == "applicant":
            label = organisations.get(user.organisation_id, "le porteur de projet")
        elif user.role == "chair":
            label = "la présidence du comité"
        else:
            label = "l'administration"
        labels[user.id or 0] = label
    return labels


def letter_json(letter: Letter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "kind": letter.kind,
        "title": letter.title,
        "application_id": letter.application_id,
        "session_id": letter.session_id,
        "funder_id": letter.funder_id,
        "created_at": letter.created_at.isoformat(),
        "url": f"/api/v1/letters/{letter.id}",
    }


def can_read_letter(actor: Actor, letter: Letter, holder_org: int | None) -> bool:
    """Holder: its decision letters; a funder: its own letters; chair and admin: all."""
    if actor.is_staff:
        return True
    if actor.role == "applicant":
        return letter.kind == "decision" and holder_org == actor.organisation_id
    if actor.role == "funder":
        return letter.kind == "funder" and letter.funder_id == actor.funder_id
    return False


def application_letters(db: Database, actor: Actor, application_id: int) -> list[dict[str, Any]]:
    with db.reading() as session:
        application = load(session, application_id, actor)
        letters = session.exec(
            select(Letter).where(Letter.application_id == application_id).order_by(col(Letter.id))
        )
        return [
            letter_json(x)
            for x in letters
            if can_read_letter(actor, x, application.organisation_id)
        ]


def letter_file(db: Database, actor: Actor, letter_id: int) -> Letter:
    from engine.errors import NotFound

    with db.reading() as session:
        letter = session.get(Letter, letter_id)
        if letter is None:
            raise NotFound(f"no letter {letter_id}")
        holder_org = None
        if letter.application_id is not None:
            holder_org = load(session, letter.application_id, actor).organisation_id
        elif not (actor.is_staff or _takes_part(session, actor, letter)):
            raise Forbidden("not yours")
        if letter.kind in ("minutes", "convocation"):
            allowed = actor.is_staff or actor.role == "funder"
        else:
            allowed = can_read_letter(actor, letter, holder_org)
        if not allowed:
            raise Forbidden("this letter is not addressed to you")
        return letter


def _takes_part(session: Session, actor: Actor, letter: Letter) -> bool:
    """A session's own letters (minutes, convocations) are for the funders of its call."""
    if actor.role != "funder" or letter.session_id is None:
        return False
    meeting = session.get(CommitteeSession, letter.session_id)
    return meeting is not None and actor.funder_id in envelopes_of(session, meeting.call_id)


def session_minutes(db: Database, actor: Actor, session_id: int) -> Letter:
    from engine.errors import Conflict
    from engine.services.sessions import session_view

    session_view(db, actor, session_id)  # same access rule as the session screen
    with db.reading() as session:
        letter = session.exec(
            select(Letter)
            .where(Letter.session_id == session_id, Letter.kind == "minutes")
            .order_by(col(Letter.id).desc())
        ).first()
    if letter is None:
        raise Conflict("the minutes are written when the session closes", "wrong_state")
    return letter
