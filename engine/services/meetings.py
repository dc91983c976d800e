"""What every use case on a committee session starts from: the session as its GET shows it
(access before state), the calls it holds, its agenda, the people it convenes."""

from __future__ import annotations

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from engine.access import Actor
from engine.audit import authorise
from engine.errors import Forbidden, NotFound
from engine.models import AgendaItem, Application, Meeting, MeetingCall
from engine.notify.outbox import committee_recipients
from engine.services.calls import envelopes_of


def get_session(session: Session, session_id: int) -> Meeting:
    meeting = session.get(Meeting, session_id)
    if meeting is None:
        raise NotFound("not_found.session", id=session_id)
    return meeting


def call_ids_of(session: Session, meeting: Meeting) -> list[int]:
    """The calls whose files the session may examine, its first call first."""
    rows = session.exec(select(MeetingCall.call_id).where(MeetingCall.session_id == meeting.id))
    others = sorted(set(rows) - {meeting.call_id})
    return [meeting.call_id, *others]


def funder_ids_of(session: Session, meeting: Meeting) -> set[int]:
    """The funders taking part in the session: those of any of its calls."""
    ids: set[int] = set()
    for call_id in call_ids_of(session, meeting):
        ids |= set(envelopes_of(session, call_id))
    return ids


def sits_on_committee(session: Session, actor: Actor, meeting: Meeting) -> bool:
    """A funder's member sits on a session's committee when the funder takes part in one of its
    calls (the one rule for what a member sees of a session: the session, its letters)."""
    return actor.role == "funder" and actor.funder_id in funder_ids_of(session, meeting)


def visible_session(session: Session, actor: Actor, session_id: int) -> Meeting:
    """The session if `GET /sessions/{id}` shows it to the actor, else the GET's 403 or 404.

    Every use case on a session decides this first, whatever the session's state: whoever may
    not see a session learns nothing of it (not even its state) from any other route.
    """
    if actor.role not in ("chair", "funder", "admin"):
        raise Forbidden("forbidden.staff_and_funders")
    meeting = get_session(session, session_id)
    if actor.role == "funder" and not sits_on_committee(session, actor, meeting):
        raise Forbidden("forbidden.funder_not_in_call")
    return meeting


def acting_on(session: Session, actor: Actor, session_id: int, trigger: str) -> Meeting:
    """Access before state: the session as its GET shows it, and a role that may fire `trigger`
    at all (403 otherwise); only then may the caller look at the state."""
    meeting = visible_session(session, actor, session_id)
    authorise("session", trigger, actor)
    return meeting


def agenda_query(meeting: Meeting) -> SelectOfScalar[Application]:
    return (
        select(Application)
        .join(AgendaItem, col(AgendaItem.application_id) == col(Application.id))
        .where(AgendaItem.session_id == meeting.id)
        .order_by(col(AgendaItem.position))
    )


def agenda_of(session: Session, meeting: Meeting, *, with_result: bool = True) -> list[Application]:
    """The files of the agenda in order; without their stored rule result (its trace is most of
    a row) for the checks that read only states and ids, as the close does several times."""
    query = agenda_query(meeting)
    if not with_result:
        query = query.options(defer(Application.result), defer(Application.result_summary))  # type: ignore[arg-type]
    return list(session.exec(query))


def recipients(session: Session, meeting: Meeting) -> list[tuple[str, str]]:
    """(name, email) of the people convened: the chair and the funders of any of its calls."""
    seen: dict[str, str] = {}
    for call_id in call_ids_of(session, meeting):
        for name, email in committee_recipients(session, call_id):
            seen.setdefault(email, name)
    return sorted((name, email) for email, name in seen.items())
