"""Committee sessions: agenda, convocations, decisions in session, close (letters and minutes
produced right after it: engine/services/production.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from engine.access import SYSTEM, Actor, require_funder_member, require_role
from engine.audit import authorise, record, transition
from engine.clock import as_utc, now
from engine.db import Database
from engine.errors import Conflict, Forbidden, NotFound
from engine.formatting import format_money
from engine.models import AgendaItem, Application, Call, Funder, Meeting, Share, User
from engine.reads import MeetingRead, read_summaries
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services import production
from engine.services.calls import envelopes_of
from engine.services.plans import envelope_use
from engine.settings import Settings
from workflows.application import APPLICATION
from workflows.share import SHARE

SCHEDULABLE = APPLICATION.tagged("schedulable")
UNDECIDED = SHARE.tagged("undecided")
OUTCOMES = {"granted": "grant", "refused": "refuse", "deferred": "defer"}
STATUS_LABELS = production.STATUS_LABELS


def get_session(session: Session, session_id: int) -> Meeting:
    meeting = session.get(Meeting, session_id)
    if meeting is None:
        raise NotFound("not_found.session", id=session_id)
    return meeting


def visible_session(session: Session, actor: Actor, session_id: int) -> Meeting:
    """The session if `GET /sessions/{id}` shows it to the actor, else the GET's 403 or 404.

    Every use case on a session decides this first, whatever the session's state: whoever may
    not see a session learns nothing of it (not even its state) from any other route.
    """
    if actor.role not in ("chair", "funder", "admin"):
        raise Forbidden("forbidden.staff_and_funders")
    meeting = get_session(session, session_id)
    if actor.role == "funder" and actor.funder_id not in envelopes_of(session, meeting.call_id):
        raise Forbidden("forbidden.funder_not_in_call")
    return meeting


def _acting_on(session: Session, actor: Actor, session_id: int, trigger: str) -> Meeting:
    """Access before state: the session as its GET shows it, and a role that may fire `trigger`
    at all (403 otherwise); only then may the caller look at the state."""
    meeting = visible_session(session, actor, session_id)
    authorise("session", trigger, actor)
    return meeting


def _check_version(meeting: Meeting, if_match: int | None) -> None:
    if if_match is not None and if_match != meeting.version:
        raise Conflict("stale_version", version=meeting.version)


def _agenda_query(meeting: Meeting) -> SelectOfScalar[Application]:
    return (
        select(Application)
        .join(AgendaItem, AgendaItem.application_id == Application.id)  # type: ignore[arg-type]
        .where(AgendaItem.session_id == meeting.id)
        .order_by(AgendaItem.position)  # type: ignore[arg-type]
    )


def _agenda(session: Session, meeting: Meeting) -> list[Application]:
    return list(session.exec(_agenda_query(meeting)))


def create_session(
    db: Database, actor: Actor, call_id: int, title: str, starts_at: datetime, location: str
) -> Meeting:
    require_role(actor, "chair")
    require_text({"title": title, "location": location})
    with db.transaction() as session:
        if session.get(Call, call_id) is None:
            raise InvalidInput([FieldError("call_id", "unknown_call", id=call_id)])
        meeting = Meeting(
            call_id=call_id, title=title, starts_at=as_utc(starts_at), location=location
        )
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        record(session, "session", meeting.id, "create", actor, to_state="planned")
        return meeting


def set_agenda(
    db: Database,
    actor: Actor,
    session_id: int,
    application_ids: list[int],
    if_match: int | None = None,
) -> Meeting:
    with db.transaction() as session:
        # Access first (as the GET, then the chair's role), the version and the state after.
        meeting = visible_session(session, actor, session_id)
        require_role(actor, "chair")
        if len(set(application_ids)) != len(application_ids):
            raise InvalidInput([FieldError("application_ids", "listed_twice")])
        _check_version(meeting, if_match)
        if meeting.state not in ("planned", "convened"):
            raise Conflict("wrong_state.agenda_fixed", state=meeting.state)
        current = {
            i.application_id: i
            for i in session.exec(select(AgendaItem).where(AgendaItem.session_id == session_id))
        }
        for app_id, item in current.items():
            if app_id not in application_ids:
                application = session.get(Application, app_id)
                assert application is not None
                guards = _was(application)
                transition(
                    session,
                    "application",
                    application,
                    "unschedule",
                    actor,
                    guards=guards,
                    application_id=app_id,
                    data={"session": session_id},
                )
                session.delete(item)
        errors = []
        for position, app_id in enumerate(application_ids):
            application = session.get(Application, app_id)
            field = f"application_ids.{position}"
            if application is None or application.call_id != meeting.call_id:
                errors.append(FieldError(field, "not_in_session_call", id=app_id))
                continue
            if app_id in current:
                current[app_id].position = position
                continue
            if application.state not in SCHEDULABLE:
                errors.append(
                    FieldError(field, "not_schedulable", id=app_id, state=application.state)
                )
                continue
            transition(
                session,
                "application",
                application,
                "schedule",
                actor,
                application_id=app_id,
                data={"session": session_id},
            )
            session.add(AgendaItem(session_id=session_id, application_id=app_id, position=position))
        if errors:
            raise InvalidInput(errors)
        record(
            session,
            "session",
            session_id,
            "set_agenda",
            actor,
            data={"application_ids": application_ids},
        )
        flag_modified(meeting, "title")  # a new agenda is a new version of the session
        session.flush()
        return meeting


def _was(application: Application) -> dict[str, Any]:
    return {
        "was_eligible": lambda: application.eligibility == "eligible",
        "was_ineligible": lambda: application.eligibility != "eligible",
    }


def _recipients(session: Session, meeting: Meeting) -> list[tuple[str, str]]:
    funder_ids = list(envelopes_of(session, meeting.call_id))
    users = session.exec(select(User).where(User.active))
    people = [
        (u.name, u.email)
        for u in users
        if u.email and (u.role == "chair" or (u.role == "funder" and u.funder_id in funder_ids))
    ]
    funders = session.exec(select(Funder).where(Funder.id.in_(funder_ids)))  # type: ignore[union-attr]
    people += [(f.name, f.email) for f in funders if f.email]
    seen: dict[str, str] = {}
    for name, email in people:
        assert email is not None
        seen.setdefault(email, name)
    return sorted((name, email) for email, name in seen.items())


def convene_session(
    db: Database, actor: Actor, session_id: int, settings: Settings, *, produce: bool = True
) -> Meeting:
    """Convene: the session moves and one convocation per member is recorded, to be produced
    (rendered, stored, emailed) right after the commit (engine/services/production.py)."""
    with db.transaction() as session:
        meeting = _acting_on(session, actor, session_id, "convene")
        transition(session, "session", meeting, "convene", actor)
        agenda = _agenda(session, meeting)
        for name, email in _recipients(session, meeting):
            production.record_convocation(session, meeting, actor, name, email, agenda)
    if produce:
        production.kick(db, settings)
    return meeting


def open_session(db: Database, actor: Actor, session_id: int) -> Meeting:
    with db.transaction() as session:
        meeting = _acting_on(session, actor, session_id, "open")
        transition(session, "session", meeting, "open", actor)
        return meeting


def cancel_session(
    db: Database, actor: Actor, session_id: int, reason: str | None = None
) -> Meeting:
    with db.transaction() as session:
        meeting = _acting_on(session, actor, session_id, "cancel")
        transition(session, "session", meeting, "cancel", actor, reason=reason)
        for application in _agenda(session, meeting):
            transition(
                session,
                "application",
                application,
                "unschedule",
                actor,
                guards=_was(application),
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
) -> Share:
    if outcome not in OUTCOMES:
        raise InvalidInput([FieldError("outcome", "outcome")])
    if outcome == "granted" and (amount is None or amount <= 0):
        raise InvalidInput([FieldError("amount", "granted_needs_amount")])
    with db.transaction() as session:
        # Access before state: the session as its GET shows it, a role that may decide a
        # share, a member of that funder; only then the session's and the share's states.
        meeting = visible_session(session, actor, session_id)
        authorise("share", OUTCOMES[outcome], actor)
        require_text({"funder": funder_code}, multiline={"conditions": conditions})
        funder = session.exec(select(Funder).where(Funder.code == funder_code)).first()
        if funder is None:
            raise InvalidInput([FieldError("funder", "unknown_funder", code=funder_code)])
        assert funder.id is not None
        require_funder_member(actor, funder.id)
        if meeting.state != "open":
            raise Conflict("wrong_state.decisions", state=meeting.state)
        item = session.exec(
            select(AgendaItem).where(
                AgendaItem.session_id == session_id, AgendaItem.application_id == application_id
            )
        ).first()
        if item is None:
            raise InvalidInput([FieldError("application_id", "not_on_agenda")])
        application = session.get(Application, application_id)
        assert application is not None
        share = session.exec(
            select(Share).where(
                Share.application_id == application_id, Share.funder_id == funder.id
            )
        ).first()
        if share is None:
            raise InvalidInput([FieldError("funder", "asks_nothing")])
        if application.eligibility != "eligible":
            raise Conflict("ineligible")
        if amount is not None and amount > share.requested:
            raise InvalidInput(
                [FieldError("amount", "above_request", requested=format_money(share.requested))]
            )
        transition(
            session,
            "share",
            share,
            OUTCOMES[outcome],
            actor,
            application_id=application_id,
            data={
                "session": session_id,
                "amount": None if amount is None else str(amount),
                "conditions": conditions,
            },
        )
        share.granted = amount if outcome == "granted" else None
        share.conditions = conditions
        share.session_id = session_id
        share.decided_by = actor.id
        share.decided_at = now()
        session.flush()
        return share


def close_session(
    db: Database, actor: Actor, session_id: int, settings: Settings, *, produce: bool = True
) -> Meeting:
    """Lock the decisions and refuse ineligible files, in one short transaction that also
    records what must be produced: the letters of each decided file and the minutes. They are
    rendered, stored and emailed after the commit (engine/services/production.py), right away
    in a background thread when `produce` (else by the scheduler's worker)."""
    with db.transaction() as session:
        # Before anything else: the list of undecided shares below is not for everyone to read.
        meeting = _acting_on(session, actor, session_id, "close")
        agenda = _agenda(session, meeting)
        funders = {f.id: f for f in session.exec(select(Funder))}
        # Every share of the agenda in one query (by id, as the letters list them).
        shares_of: dict[int | None, list[Share]] = {a.id: [] for a in agenda}
        query = select(Share).where(col(Share.application_id).in_(list(shares_of)))
        for share in session.exec(query.order_by(col(Share.id))):
            shares_of[share.application_id].append(share)
        missing = []
        for application in agenda:
            if application.eligibility != "eligible":
                continue
            for share in shares_of[application.id]:
                if share.state not in ("granted", "refused", "deferred"):
                    missing.append(
                        f"{application.reference or application.id}/{funders[share.funder_id].code}"
                    )
        if missing:
            raise Conflict("undecided_shares", shares=", ".join(missing))
        transition(session, "session", meeting, "close", actor)
        meeting.closed_at = now()
        decided = []
        for application in agenda:
            shares = shares_of[application.id]
            if application.eligibility != "eligible":
                for share in shares:
                    transition(
                        session,
                        "share",
                        share,
                        "refuse_ineligible",
                        SYSTEM,
                        application_id=application.id,
                        data={
                            "session": session_id,
                            "failed": (application.result or {}).get("failed", []),
                        },
                    )
                    share.granted = None
                    share.session_id = session_id
            if any(s.state == "deferred" for s in shares):
                transition(
                    session,
                    "application",
                    application,
                    "defer",
                    SYSTEM,
                    application_id=application.id,
                    data={"session": session_id},
                )
                continue
            transition(
                session,
                "application",
                application,
                "decide",
                SYSTEM,
                application_id=application.id,
                data={"session": session_id},
            )
            decided.append(application)
        for application in decided:
            production.record_letters(session, meeting, application, actor)
        production.record_minutes(session, meeting, actor)
    if produce:
        production.kick(db, settings)
    return meeting


def session_view(db: Database, actor: Actor, session_id: int) -> MeetingRead:
    """The session screen: every plan side by side, its flags, each funder's envelope use."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        agenda = read_summaries(session, _agenda_query(meeting))
        return MeetingRead(
            meeting,
            agenda,
            envelope_use(session, meeting.call_id),
            production.progress(session, session_id),
        )


def list_sessions(db: Database, actor: Actor) -> list[Meeting]:
    with db.reading() as session:
        query = select(Meeting).order_by(Meeting.starts_at)  # type: ignore[arg-type]
        meetings = list(session.exec(query))
        if actor.role == "funder":
            meetings = [m for m in meetings if actor.funder_id in envelopes_of(session, m.call_id)]
        return meetings
