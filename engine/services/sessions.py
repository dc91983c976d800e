"""Committee sessions: planning (one or several calls), moving the date, convening, opening on
its day, cancelling, the session screen. The agenda and its amended convocations live in
engine/services/session_agenda.py, decisions and the close in engine/services/decisions.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select

from engine.access import Actor, require_role
from engine.audit import record, transition
from engine.clock import as_utc, now, paris_date
from engine.db import Database
from engine.errors import Conflict
from engine.formatting import format_date
from engine.models import Call, Meeting, MeetingCall, Share
from engine.reads import MeetingRead, read_summaries
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services import attendance, decisions, production
from engine.services.common import check_version
from engine.services.conflict_detection import record_automatic
from engine.services.decisions import OUTCOMES, close_session, pending_decisions
from engine.services.meetings import (
    acting_on,
    agenda_of,
    agenda_query,
    call_ids_of,
    get_session,
    sits_on_committee,
    visible_session,
)
from engine.services.plans import envelope_use
from engine.services.session_agenda import convoke, set_agenda
from engine.settings import Settings
from workflows.application import APPLICATION
from workflows.share import SHARE

__all__ = [
    "OUTCOMES",
    "cancel_session",
    "close_session",
    "convene_session",
    "create_session",
    "get_session",
    "list_sessions",
    "open_session",
    "pending_decisions",
    "record_decision",
    "session_view",
    "set_agenda",
    "update_session",
    "visible_session",
]

SCHEDULABLE = APPLICATION.tagged("schedulable")
UNDECIDED = SHARE.tagged("undecided")
STATUS_LABELS = production.STATUS_LABELS


def create_session(
    db: Database,
    actor: Actor,
    call_id: int | None,
    title: str,
    starts_at: datetime,
    location: str,
    call_ids: list[int] | None = None,
) -> Meeting:
    """A planned session examining the files of `call_id` and of `call_ids` (the first one
    given stays its main call)."""
    require_role(actor, "chair")
    require_text({"title": title, "location": location})
    wanted = list(dict.fromkeys(([call_id] if call_id else []) + list(call_ids or [])))
    if not wanted:
        raise InvalidInput([FieldError("call_ids", "required")])
    with db.transaction() as session:
        for position, wanted_id in enumerate(wanted):
            if session.get(Call, wanted_id) is None:
                field = "call_id" if call_id and position == 0 else "call_ids"
                raise InvalidInput([FieldError(field, "unknown_call", id=wanted_id)])
        meeting = Meeting(
            call_id=wanted[0], title=title, starts_at=as_utc(starts_at), location=location
        )
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        for wanted_id in wanted:
            session.add(MeetingCall(session_id=meeting.id, call_id=wanted_id))
        record(
            session,
            "session",
            meeting.id,
            "create",
            actor,
            to_state="planned",
            data={"call_ids": wanted},
        )
        return meeting


def update_session(
    db: Database,
    actor: Actor,
    session_id: int,
    settings: Settings | None,
    *,
    title: str | None = None,
    starts_at: datetime | None = None,
    location: str | None = None,
    if_match: int | None = None,
) -> Meeting:
    """Move the session (date, place, title) before it opens; once convened, the members get
    an amended convocation saying what changed."""
    with db.transaction() as session:
        meeting = visible_session(session, actor, session_id)
        require_role(actor, "chair")
        require_text({"title": title, "location": location})
        check_version(meeting, if_match)
        if meeting.state not in ("planned", "convened"):
            raise Conflict("wrong_state.session_fixed", state=meeting.state)
        changes: list[str] = []
        if starts_at is not None and as_utc(starts_at) != meeting.starts_at:
            changes.append(
                f"Date : {format_date(meeting.starts_at)} → {format_date(as_utc(starts_at))}"
            )
            meeting.starts_at = as_utc(starts_at)
        if location is not None and location != meeting.location:
            changes.append(f"Lieu : {meeting.location} → {location}")
            meeting.location = location
        if title is not None and title != meeting.title:
            changes.append(f"Intitulé : {meeting.title} → {title}")
            meeting.title = title
        if not changes:
            return meeting
        record(session, "session", session_id, "update", actor, data={"changes": changes})
        session.flush()
        amended = meeting.state == "convened"
        if amended:
            convoke(session, meeting, actor, changes)
    if amended and settings is not None:
        production.kick(db, settings)
    return meeting


def convene_session(
    db: Database, actor: Actor, session_id: int, settings: Settings, *, produce: bool = True
) -> Meeting:
    """Convene: the session moves and one convocation per member is recorded, to be produced
    (rendered, stored, emailed) right after the commit (engine/services/production)."""
    with db.transaction() as session:
        meeting = acting_on(session, actor, session_id, "convene")
        if meeting.state == "planned" and not agenda_of(session, meeting):
            raise Conflict("empty_agenda")
        transition(session, "session", meeting, "convene", actor)
        convoke(session, meeting, actor)
    if produce:
        production.kick(db, settings)
    return meeting


def open_session(db: Database, actor: Actor, session_id: int) -> Meeting:
    """Open the session, from its day on (its date in Paris), once the quorum is met."""
    with db.transaction() as session:
        meeting = acting_on(session, actor, session_id, "open")
        if meeting.state == "convened" and paris_date(now()) < paris_date(meeting.starts_at):
            raise Conflict("too_early", day=format_date(paris_date(meeting.starts_at)))
        if meeting.state == "convened":  # the quorum, from the attendance recorded
            attendance.require_quorum(session, meeting)
        transition(session, "session", meeting, "open", actor)
        # The agenda is fixed from now on: its automatic conflicts of interest are recorded.
        record_automatic(session, meeting)
        return meeting


def cancel_session(
    db: Database, actor: Actor, session_id: int, reason: str | None = None
) -> Meeting:
    from engine.services.session_agenda import was

    with db.transaction() as session:
        meeting = acting_on(session, actor, session_id, "cancel")
        transition(session, "session", meeting, "cancel", actor, reason=reason)
        for application in agenda_of(session, meeting):
            transition(
                session,
                "application",
                application,
                "unschedule",
                actor,
                guards=was(application),
                application_id=application.id,
                data={"session": session_id, "cancelled": True},
            )
        return meeting


def record_decision(
    db: Database,
    actor: Actor,
    session_id: int,
    application_id: int,
    funder_code: str,
    outcome: str,
    amount: Decimal | None,
    conditions: str | None,
    reason: str | None = None,
) -> Share:
    """The decision on one share (see engine.services.decisions.decide)."""
    share, _ = decisions.decide(
        db, actor, session_id, application_id, funder_code, outcome, amount, conditions, reason
    )
    return share


def session_view(db: Database, actor: Actor, session_id: int) -> MeetingRead:
    """The session screen: every plan side by side, its flags, each funder's envelope use."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        agenda = read_summaries(session, agenda_query(meeting))
        calls = call_ids_of(session, meeting)
        by_call = [(call_id, envelope_use(session, call_id)) for call_id in calls]
        return MeetingRead(
            meeting,
            agenda,
            [use for _, uses in by_call for use in uses],
            production.progress(session, session_id),
            calls,
            [call_id for call_id, uses in by_call for _ in uses],
        )


def list_sessions(db: Database, actor: Actor) -> list[Meeting]:
    with db.reading() as session:
        query = select(Meeting).order_by(col(Meeting.starts_at))
        meetings = list(session.exec(query))
        if actor.role == "funder":
            meetings = [m for m in meetings if sits_on_committee(session, actor, m)]
        return meetings


def calls_of_sessions(db: Database, session_ids: list[int]) -> dict[int, list[int]]:
    """The calls of each session (for lists), its main call first."""
    with db.reading() as session:
        rows = session.exec(select(MeetingCall).where(col(MeetingCall.session_id).in_(session_ids)))
        found: dict[int, list[int]] = {i: [] for i in session_ids}
        for row in rows:
            found[row.session_id].append(row.call_id)
        return {i: sorted(ids) for i, ids in found.items()}
