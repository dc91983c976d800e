"""Conflicts of interest in a session: a member declares its own, the chair records one for a
member, others are found automatically (engine/services/conflict_detection.py). A conflicted
member takes no part in the decision on that file (decisions.decide refuses it); a share whose
every present member is conflicted is deferred at the close (`fully_conflicted_shares`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from engine.access import Actor
from engine.audit import record
from engine.db import Database
from engine.errors import Conflict, Forbidden
from engine.models import (
    AgendaItem,
    Application,
    Funder,
    InterestDeclaration,
    Meeting,
    Share,
    User,
)
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services import attendance
from engine.services.common import member_with_funder
from engine.services.conflict_detection import AUTOMATIC, automatic_conflicts, members_of
from engine.services.meetings import agenda_of, funder_ids_of, visible_session

SOURCES = {
    "declared": "déclaré par le membre",
    "recorded_by_chair": "enregistré par la présidence",
    AUTOMATIC: "relevé automatiquement",
}
CLOSED = ("closed", "cancelled")
DECIDED = ("granted", "refused", "deferred")  # as engine.services.decisions says


@dataclass(frozen=True)
class ConflictLine:
    """One member who takes no part in the decision on one file of a session."""

    session_id: int
    application_id: int
    reference: str
    title: str
    user_id: int
    username: str
    user_name: str
    funder_code: str
    funder_name: str
    reason: str
    source: str
    declared_by: str | None  # the name of who recorded it; None when found automatically
    at: datetime | None  # None: found automatically, not stored yet (before the opening)

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)


def declare_conflict(
    db: Database,
    actor: Actor,
    session_id: int,
    application_id: int,
    username: str,
    reason: str,
) -> ConflictLine:
    """A member declares a conflict on one file of the agenda (for itself only), or the chair
    records one for a member of a funder of the session; until the session is closed."""
    with db.transaction() as session:
        meeting = visible_session(session, actor, session_id)
        if actor.role not in ("funder", "chair"):
            raise Forbidden("forbidden.role_refused", role=actor.role, trigger="declare_conflict")
        me = session.get(User, actor.id) if actor.id is not None else None
        if actor.role == "funder" and (me is None or me.username != username):
            raise Forbidden("forbidden.declare_for_other")
        require_text({"user": username}, multiline={"reason": reason})
        errors = []
        on_agenda = session.exec(
            select(AgendaItem).where(
                AgendaItem.session_id == session_id, AgendaItem.application_id == application_id
            )
        ).first()
        if on_agenda is None:
            errors.append(FieldError("application_id", "not_on_agenda"))
        members = {u.username: u for u in members_of(session, funder_ids_of(session, meeting))}
        member = members.get(username)
        if member is None:
            errors.append(FieldError("user", "not_a_session_member", username=username))
        if not reason.strip():
            errors.append(FieldError("reason", "reason_required"))
        if errors:
            raise InvalidInput(errors)
        assert member is not None and member.id is not None
        if meeting.state in CLOSED:
            raise Conflict("wrong_state.conflicts", state=meeting.state)
        exists = session.exec(
            select(InterestDeclaration).where(
                InterestDeclaration.session_id == session_id,
                InterestDeclaration.application_id == application_id,
                InterestDeclaration.user_id == member.id,
            )
        ).first()
        if exists is not None:
            raise Conflict("duplicate.conflict", name=member.name)
        source = "declared" if actor.role == "funder" else "recorded_by_chair"
        session.add(
            InterestDeclaration(
                session_id=session_id,
                application_id=application_id,
                user_id=member.id,
                reason=reason.strip(),
                source=source,
                declared_by=actor.id,
            )
        )
        record(
            session,
            "session",
            session_id,
            "declare_conflict",
            actor,
            reason=reason.strip(),
            # Not on the file's own trail, which the holder reads: a member's reason is the
            # committee's business (the minutes name who did not take part).
            data={"application": application_id, "user": username, "source": source},
        )
        session.flush()
        return next(
            line
            for line in conflicts_of(session, meeting)
            if line.application_id == application_id and line.user_id == member.id
        )


def conflicts_of(session: Session, meeting: Meeting) -> list[ConflictLine]:
    """Every conflict on the session's agenda, stored or found automatically, in agenda order
    then by member name."""
    agenda = {a.id: a for a in agenda_of(session, meeting, with_result=False)}
    rows = list(
        session.exec(
            select(InterestDeclaration).where(InterestDeclaration.session_id == meeting.id)
        )
    )
    stored = {(r.application_id, r.user_id) for r in rows}
    # (application, member, reason, source, recorded by, at): stored rows, then the automatic
    # ones not stored yet (the opening stores them; once closed, what was stored is the record).
    found = automatic_conflicts(session, meeting) if meeting.state not in CLOSED else []
    entries = [
        (r.application_id, r.user_id, r.reason, r.source, r.declared_by, r.at) for r in rows
    ] + [
        (f.application_id, f.user_id, f.reason, AUTOMATIC, None, None)
        for f in found
        if (f.application_id, f.user_id) not in stored
    ]
    ids = {e[1] for e in entries} | {e[4] for e in entries if e[4] is not None}
    users = _users(session, ids)
    funders = {f.id: f for f in session.exec(select(Funder))}
    lines = []
    for application_id, user_id, reason, source, declared_by, at in entries:
        application = agenda.get(application_id)
        user = users.get(user_id)
        if application is None or user is None:
            continue
        funder = funders.get(user.funder_id)
        declarer = users.get(declared_by) if declared_by is not None else None
        lines.append(
            ConflictLine(
                session_id=meeting.id or 0,
                application_id=application_id,
                reference=application.reference or str(application.id),
                title=application.title,
                user_id=user_id,
                username=user.username,
                user_name=user.name,
                funder_code=funder.code if funder else "",
                funder_name=funder.name if funder else "",
                reason=reason,
                source=source,
                declared_by=declarer.name if declarer else None,
                at=at,
            )
        )
    order = {application_id: i for i, application_id in enumerate(agenda)}
    return sorted(lines, key=lambda x: (order[x.application_id], x.user_name, x.user_id))


def _users(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    query = select(User).where(col(User.id).in_(list(ids)))
    return {u.id: u for u in session.exec(query) if u.id is not None}


def conflicted_user_ids(session: Session, meeting: Meeting, application_id: int) -> set[int]:
    """The members who take no part in the decision on this file: those recorded, and those
    found automatically (for this file alone: a decision must not read the whole agenda)."""
    stored = session.exec(
        select(InterestDeclaration.user_id).where(
            InterestDeclaration.session_id == meeting.id,
            InterestDeclaration.application_id == application_id,
        )
    )
    found = set(stored)
    application = session.get(Application, application_id)
    if application is not None and meeting.state not in CLOSED:
        found |= {f.user_id for f in automatic_conflicts(session, meeting, [application])}
    return found


def require_not_conflicted(
    session: Session, meeting: Meeting, actor: Actor, application_id: int
) -> None:
    """409 when the actor has a conflict of interest on this file (it may not decide it)."""
    if actor.id in conflicted_user_ids(session, meeting, application_id):
        raise Conflict("conflict_of_interest")


def fully_conflicted_shares(session: Session, meeting: Meeting) -> list[tuple[Share, str]]:
    """The undecided shares of eligible agenda files whose every present member of the funder
    is conflicted, each with the French reason of its deferral. A funder with nobody present
    is not listed here: it is absent (the close defers its shares for that reason)."""
    conflicted: dict[int, set[int]] = {}
    for line in conflicts_of(session, meeting):
        conflicted.setdefault(line.application_id, set()).add(line.user_id)
    if not conflicted:
        return []
    funders = {f.id: f for f in session.exec(select(Funder))}
    present_of: dict[int, set[int]] = {}  # funder → its members present and proxies
    found = []
    query = (
        select(Share)
        .join(Application, col(Application.id) == col(Share.application_id))
        .where(
            col(Share.application_id).in_(list(conflicted)),
            Application.eligibility == "eligible",
        )
    )
    for share in session.exec(query.order_by(col(Share.application_id), col(Share.id))):
        if share.state in DECIDED:
            continue
        if share.funder_id not in present_of:
            present_of[share.funder_id] = attendance.present_members(
                session, meeting, share.funder_id
            )
        present = present_of[share.funder_id]
        if present and present <= conflicted[share.application_id]:
            name = funders[share.funder_id].name
            found.append(
                (
                    share,
                    f"Tous les membres présents de {name} ont un conflit d'intérêts sur ce "
                    "dossier : la part est ajournée.",
                )
            )
    order = {application_id: i for i, application_id in enumerate(conflicted)}  # agenda order
    return sorted(found, key=lambda item: (order[item[0].application_id], item[0].id or 0))


def session_conflicts(db: Database, actor: Actor, session_id: int) -> list[ConflictLine]:
    """The conflicts of a session, for whoever sees the session."""
    with db.reading() as session:
        return conflicts_of(session, visible_session(session, actor, session_id))


def my_declarations(db: Database, actor: Actor) -> list[tuple[Meeting, ConflictLine]]:
    """A member's conflicts of interest, in every session of its committee (newest first)."""
    if actor.role != "funder":
        raise Forbidden("forbidden.role", roles="funder")
    with db.reading() as session:
        meetings = session.exec(select(Meeting).order_by(col(Meeting.starts_at).desc()))
        found = []
        for meeting in meetings:
            if actor.funder_id not in funder_ids_of(session, meeting):
                continue
            found += [(meeting, c) for c in conflicts_of(session, meeting) if c.user_id == actor.id]
        return found


def recusals_of(session: Session, meeting: Meeting) -> dict[int, tuple[str, ...]]:
    """For the minutes, by file: who did not take part in its decision and why, in French."""
    found: dict[int, tuple[str, ...]] = {}
    for line in conflicts_of(session, meeting):
        sentence = f"{member_with_funder(line.user_name, line.funder_name)} : {line.reason}"
        found[line.application_id] = (*found.get(line.application_id, ()), sentence)
    return found


def session_members(db: Database, actor: Actor, session_id: int) -> list[tuple[str, str]]:
    """(username, « name — funder ») of the members the chair may record a conflict for."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        funders = {f.id: f.name for f in session.exec(select(Funder))}
        members = members_of(session, funder_ids_of(session, meeting))
        found = [(u.username, f"{u.name} — {funders.get(u.funder_id, '')}") for u in members]
        return sorted(found, key=lambda pair: pair[1])


def username_of(db: Database, actor: Actor) -> str:
    """The actor's own username (a member's form declares for the member itself)."""
    with db.reading() as session:
        user = session.get(User, actor.id) if actor.id is not None else None
        return user.username if user else ""
