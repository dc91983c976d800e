"""Read-side use cases: what a user may list and see, scoped to who they are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from engine.access import Actor
from engine.blobs import blob_content
from engine.db import Database
from engine.errors import Forbidden
from engine.models import Application, Event, Letter, Meeting, Organisation, Share
from engine.reads import (
    ApplicationPage,
    ApplicationRead,
    EventRead,
    read_application,
    read_summaries,
)
from engine.rulebook.text import require_text
from engine.services.applications import load
from engine.services.meetings import sits_on_committee
from workflows.application import APPLICATION


def application_view(db: Database, actor: Actor, application_id: int) -> ApplicationRead:
    with db.reading() as session:
        return read_application(session, load(session, application_id, actor))


# The views of an inbox (a funder's, or the chair's): which files it lists.
INBOX_VIEWS = {
    "a_instruire": "À instruire",
    "en_seance": "En séance",
    "decides": "Décidés",
    "tous": "Tous",
}
_TO_EXAMINE = ("eligible", "ineligible", "incomplete")
_UNDECIDED_SHARES = ("requested", "proposed", "deferred")
_DECIDED = APPLICATION.tagged("decided")  # settled and closed files too


def _like(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _inbox_filters(actor: Actor, view: str | None, search: str | None) -> list[Any]:
    """The conditions of an inbox view (`INBOX_VIEWS`) and of a search on the reference, the
    title and the holder's organisation name."""
    where: list[Any] = []
    mine = Share.funder_id == actor.funder_id if actor.role == "funder" else None
    if view == "a_instruire":
        where.append(col(Application.state).in_(_TO_EXAMINE))
        if mine is not None:
            undecided = select(Share.application_id).where(
                mine, col(Share.state).in_(_UNDECIDED_SHARES)
            )
            where.append(col(Application.id).in_(undecided))
    elif view == "en_seance":
        where.append(Application.state == "scheduled")
    elif view == "decides":
        decided = col(Application.state).in_(_DECIDED)
        if mine is not None:
            done = select(Share.application_id).where(
                mine, col(Share.state).in_(("granted", "refused"))
            )
            where.append(or_(decided, col(Application.id).in_(done)))
        else:
            where.append(decided)
    text = (search or "").strip()
    if text:
        pattern = _like(text)
        named = select(Organisation.id).where(col(Organisation.name).ilike(pattern, escape="\\"))
        where.append(
            or_(
                col(Application.reference).ilike(pattern, escape="\\"),
                col(Application.title).ilike(pattern, escape="\\"),
                col(Application.organisation_id).in_(named),
            )
        )
    return where


def list_applications(
    db: Database,
    actor: Actor,
    call_id: int | None = None,
    state: str | None = None,
    offset: int = 0,
    limit: int = 50,
    *,
    view: str | None = None,
    search: str | None = None,
) -> ApplicationPage:
    """The files `actor` may see, filtered by call, state, inbox view and a search."""
    where = application_filters(actor, call_id, state, view=view, search=search)
    with db.reading() as session:
        # One page in SQL, and its total: two queries, then three for the page's details.
        total = session.exec(select(func.count()).select_from(Application).where(*where)).one()
        page = select(Application).where(*where).order_by(col(Application.id))
        items = read_summaries(session, page.offset(offset).limit(limit))
    return ApplicationPage(items, total, offset, limit)


def application_filters(
    actor: Actor,
    call_id: int | None = None,
    state: str | None = None,
    *,
    view: str | None = None,
    search: str | None = None,
) -> list[Any]:
    """The conditions on `Application` of the list: the files `actor` may see, filtered by
    call, state, inbox view and a search (the list and its exports share them)."""
    require_text({"search": search})
    where: list[Any] = _inbox_filters(actor, view, search)
    if actor.role == "applicant":
        where.append(Application.organisation_id == actor.organisation_id)
    elif actor.role == "funder":
        asked = select(Share.application_id).where(Share.funder_id == actor.funder_id)
        where.append(col(Application.submitted_at).is_not(None))
        where.append(col(Application.id).in_(asked))
    elif not actor.is_staff:
        raise Forbidden("forbidden.applications_list")
    require_text({"state": state})
    if call_id is not None:
        where.append(Application.call_id == call_id)
    if state is not None:
        where.append(Application.state == state)
    return where


COMMITTEE_ONLY_ACTIONS = ("opinion",)


def application_events(db: Database, actor: Actor, application_id: int) -> list[EventRead]:
    with db.reading() as session:
        load(session, application_id, actor)
        query = select(Event).where(Event.application_id == application_id)
        if actor.role == "applicant":
            # Members' opinions prepare the committee's deliberation: not the holder's to read.
            query = query.where(col(Event.action).not_in(COMMITTEE_ONLY_ACTIONS))
        events = list(session.exec(query.order_by(col(Event.id))))
        labels = actor_labels(session, {e.actor_id for e in events if e.actor_id is not None})
        return [
            EventRead(e, labels.get(e.actor_id or 0, "cofinance (automatique)")) for e in events
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


# The letters addressed to the holder, and to one funder (its decision, its settlement).
HOLDER_LETTERS = frozenset({"decision", "settlement"})
FUNDER_LETTERS = frozenset({"funder", "settlement_funder"})


def can_read_letter(actor: Actor, letter: Letter, holder_org: int | None) -> bool:
    """Holder: its decision letters; a funder: its own letters; chair and admin: all."""
    if actor.is_staff:
        return True
    if actor.role == "applicant":
        return letter.kind in HOLDER_LETTERS and holder_org == actor.organisation_id
    if actor.role == "funder":
        return letter.kind in FUNDER_LETTERS and letter.funder_id == actor.funder_id
    return False


def application_letters(db: Database, actor: Actor, application_id: int) -> list[Letter]:
    with db.reading() as session:
        application = load(session, application_id, actor)
        letters = session.exec(
            select(Letter).where(Letter.application_id == application_id).order_by(col(Letter.id))
        )
        return [x for x in letters if can_read_letter(actor, x, application.organisation_id)]


def letter_file(db: Database, actor: Actor, letter_id: int) -> tuple[Letter, bytes]:
    """A letter and its PDF, for the people it is addressed to."""
    from engine.errors import NotFound

    with db.reading() as session:
        letter = session.get(Letter, letter_id)
        if letter is None:
            raise NotFound("not_found.letter", id=letter_id)
        holder_org = None
        if letter.application_id is not None:
            holder_org = load(session, letter.application_id, actor).organisation_id
        elif not (actor.is_staff or _takes_part(session, actor, letter)):
            raise Forbidden("forbidden.letter")
        if letter.kind in ("minutes", "convocation", "pack"):
            allowed = actor.is_staff or actor.role == "funder"
        else:
            allowed = can_read_letter(actor, letter, holder_org)
        if not allowed:
            raise Forbidden("forbidden.letter")
        return letter, _content(session, letter)


def _content(session: Session, letter: Letter) -> bytes:
    from engine.errors import NotFound

    content = blob_content(session, letter.blob_id)
    if content is None:
        raise NotFound("not_found.letter_file", id=letter.id)
    return content


def _takes_part(session: Session, actor: Actor, letter: Letter) -> bool:
    """A session's own letters (minutes, convocations) are for the members of its committee."""
    if actor.role != "funder" or letter.session_id is None:
        return False
    meeting = session.get(Meeting, letter.session_id)
    return meeting is not None and sits_on_committee(session, actor, meeting)


def session_minutes(db: Database, actor: Actor, session_id: int) -> tuple[Letter, bytes]:
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
            meeting = session.get(Meeting, session_id)
            if meeting is not None and meeting.state == "closed":
                # Produced right after the close (engine/services/production/).
                raise Conflict("production_pending")
            raise Conflict("wrong_state.minutes")

        return letter, _content(session, letter)
