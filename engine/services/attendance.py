"""Who sits at a session: the chair records each member of the session's funders present,
excused or represented by a proxy (a member present who speaks for them). A funder counts as
present when one of its members is present or represented; the quorum at opening, who may
decide a share and what the close defers are counted from it (DESIGN §12)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, delete, select

from engine.access import Actor, require_role
from engine.audit import record
from engine.clock import now, paris_date
from engine.db import Database
from engine.errors import Conflict, Forbidden
from engine.models import Attendance, Funder, Meeting, User
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.services.meetings import funder_ids_of, visible_session

STATUSES = ("present", "excused", "represented")
ATTENDING = ("present", "represented")
# The attendance may change until the session closes (a late arrival, a member leaving).
RECORDABLE = ("planned", "convened", "open")


@dataclass(frozen=True)
class AttendeeInput:
    """One line of the chair's attendance: usernames, as the API and the form give them."""

    user: str
    status: str
    proxy: str | None = None


@dataclass(frozen=True)
class AttendanceLine:
    """A member of the session's funders and what the chair recorded (`status` None: nothing
    recorded, the member is absent)."""

    user_id: int
    username: str
    name: str
    funder_id: int
    funder_code: str
    funder_name: str
    status: str | None
    proxy_username: str | None = None
    proxy_name: str | None = None


@dataclass(frozen=True)
class Quorum:
    """Whether the session may open: enough funders present or represented, and every
    required one among them."""

    met: bool
    present: int  # funders of the session present or represented
    total: int  # funders of the session
    required: int  # how many must be, from quorum.min_share
    missing: tuple[str, ...]  # names of the required funders absent


def members_of(session: Session, meeting: Meeting) -> list[User]:
    """The active members of the session's funders: the people whose attendance is recorded."""
    query = select(User).where(
        User.role == "funder",
        col(User.active),
        col(User.funder_id).in_(list(funder_ids_of(session, meeting))),
    )
    return list(session.exec(query.order_by(col(User.name), col(User.id))))


def _rows(session: Session, meeting: Meeting) -> dict[int, Attendance]:
    query = select(Attendance).where(Attendance.session_id == meeting.id)
    return {row.user_id: row for row in session.exec(query)}


def attendance_of(session: Session, meeting: Meeting) -> list[AttendanceLine]:
    """Every member of the session's funders with its recorded status, by funder then name;
    a member recorded once but no longer a member stays listed (the minutes keep who sat)."""
    rows = _rows(session, meeting)
    members = {u.id: u for u in members_of(session, meeting)}
    proxies = {r.proxy_user_id for r in rows.values() if r.proxy_user_id is not None}
    people = dict(members)
    wanted = (set(rows) | proxies) - set(people)
    if wanted:
        people |= {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted)))}
    funders = {f.id: f for f in session.exec(select(Funder))}
    lines = []
    for user_id in set(members) | set(rows):
        user = people[user_id]
        funder = funders.get(user.funder_id)
        if user.id is None or funder is None or funder.id is None:
            continue
        row = rows.get(user.id)
        proxy = people.get(row.proxy_user_id) if row and row.proxy_user_id else None
        lines.append(
            AttendanceLine(
                user.id,
                user.username,
                user.name,
                funder.id,
                funder.code,
                funder.name,
                row.status if row else None,
                proxy.username if proxy else None,
                proxy.name if proxy else None,
            )
        )
    return sorted(lines, key=lambda line: (line.funder_name, line.name, line.user_id))


def present_funder_ids(session: Session, meeting: Meeting) -> set[int]:
    """The funders with a member present or represented."""
    return {line.funder_id for line in attendance_of(session, meeting) if line.status in ATTENDING}


def present_members(session: Session, meeting: Meeting, funder_id: int) -> set[int]:
    """Who may speak for the funder: its members present, and the proxies of its members
    represented."""
    rows = _rows(session, meeting)
    found: set[int] = set()
    for line in attendance_of(session, meeting):
        if line.funder_id != funder_id:
            continue
        if line.status == "present":
            found.add(line.user_id)
        elif line.status == "represented":
            proxy = rows[line.user_id].proxy_user_id
            if proxy is not None:
                found.add(proxy)
    return found


def represented_funder_ids(session: Session, meeting: Meeting, proxy_id: int | None) -> set[int]:
    """The funders of the members a proxy represents at this session."""
    query = select(User.funder_id).join(Attendance, col(Attendance.user_id) == col(User.id))
    rows = session.exec(
        query.where(
            Attendance.session_id == meeting.id,
            Attendance.status == "represented",
            Attendance.proxy_user_id == proxy_id,
        )
    )
    return {funder_id for funder_id in rows if funder_id is not None}


def represented_funders(db: Database, actor: Actor, session_id: int) -> list[str]:
    """The codes of the other funders whose members the actor represents at this session:
    the proxy decides their shares too."""
    if actor.role != "funder":
        return []
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        ids = represented_funder_ids(session, meeting, actor.id) - {actor.funder_id}
        funders = session.exec(select(Funder).where(col(Funder.id).in_(list(ids))))
        return sorted(f.code for f in funders)


def quorum_of(session: Session, meeting: Meeting) -> Quorum:
    """The quorum from the parameters at the session's date: `quorum.min_share` of the
    session's funders present or represented, and each of `quorum.required_funders` (codes,
    comma-separated) that takes part in the session."""
    on = paris_date(meeting.starts_at)
    parameters = default_registry().parameters
    share = parameters["quorum.min_share"].at(on).value
    codes = str(parameters["quorum.required_funders"].at(on).value)
    assert isinstance(share, Decimal)
    taking_part = funder_ids_of(session, meeting)
    present = present_funder_ids(session, meeting) & taking_part
    funders = {f.id: f for f in session.exec(select(Funder)) if f.id in taking_part}
    wanted = {c.strip() for c in codes.split(",") if c.strip()}
    missing = tuple(
        sorted(f.name for f in funders.values() if f.code in wanted and f.id not in present)
    )
    required = math.ceil(share * len(taking_part))
    met = len(present) >= required and not missing
    return Quorum(met, len(present), len(taking_part), required, missing)


def require_quorum(session: Session, meeting: Meeting) -> None:
    """409 `quorum_not_met`, saying what is missing."""
    quorum = quorum_of(session, meeting)
    if quorum.met:
        return
    if quorum.missing:
        raise Conflict(
            "quorum_not_met.required",
            funders=", ".join(quorum.missing),
            present=quorum.present,
            total=quorum.total,
        )
    raise Conflict(
        "quorum_not_met", present=quorum.present, total=quorum.total, minimum=quorum.required
    )


def require_decider(session: Session, meeting: Meeting, actor: Actor, funder: Funder) -> bool:
    """403 unless the actor is a member of the funder or the proxy of one of its members;
    True when acting as a proxy."""
    if actor.role == "funder" and actor.funder_id == funder.id:
        return False
    if actor.role == "funder" and funder.id in represented_funder_ids(session, meeting, actor.id):
        return True
    raise Forbidden("forbidden.not_member")


def require_present(session: Session, meeting: Meeting, funder: Funder) -> None:
    """409 `funder_absent` when none of the funder's members is present or represented."""
    if funder.id not in present_funder_ids(session, meeting):
        raise Conflict("funder_absent", funder=funder.name)


def record_attendance(
    db: Database, actor: Actor, session_id: int, attendees: list[AttendeeInput]
) -> list[Attendance]:
    """The chair records the attendance, replacing what was recorded (a member left out is
    absent); until the session closes. Bad lines are refused all at once, nothing changed."""
    with db.transaction() as session:
        # Two screens recording at once: the second waits for the first (PostgreSQL; SQLite's
        # writers are serialised already), then replaces its lines instead of colliding with them.
        session.exec(select(Meeting.id).where(col(Meeting.id) == session_id).with_for_update())
        meeting = visible_session(session, actor, session_id)
        require_role(actor, "chair")
        if meeting.state not in RECORDABLE:
            raise Conflict("wrong_state.attendance", state=meeting.state)
        members = {u.username: u for u in members_of(session, meeting)}
        _check(attendees, members)
        session.exec(delete(Attendance).where(col(Attendance.session_id) == session_id))
        session.flush()
        rows = []
        for line in attendees:
            proxy = members[line.proxy] if line.status == "represented" and line.proxy else None
            row = Attendance(
                session_id=session_id,
                user_id=members[line.user].id or 0,
                status=line.status,
                proxy_user_id=proxy.id if proxy else None,
                recorded_by=actor.id,
                recorded_at=now(),
            )
            session.add(row)
            rows.append(row)
        record(
            session,
            "session",
            session_id,
            "attendance",
            actor,
            data={
                "attendees": [
                    {"user": a.user, "status": a.status, "proxy": a.proxy} for a in attendees
                ]
            },
        )
        session.flush()
        return rows


def _check(attendees: list[AttendeeInput], members: dict[str, User]) -> None:
    """Every line names a member once, with a known status; a proxy is a member listed present."""
    errors: list[FieldError] = []
    present = {a.user for a in attendees if a.status == "present"}
    seen: set[str] = set()
    for index, line in enumerate(attendees):
        at = f"attendees.{index}"
        if line.user not in members:
            errors.append(FieldError(f"{at}.user", "attendee_not_member", user=line.user))
        elif line.user in seen:
            errors.append(FieldError(f"{at}.user", "attendee_twice", user=line.user))
        seen.add(line.user)
        if line.status not in STATUSES:
            errors.append(FieldError(f"{at}.status", "not_a_choice"))
        elif line.status == "represented":
            if not line.proxy:
                errors.append(FieldError(f"{at}.proxy", "proxy_required"))
            elif line.proxy == line.user or line.proxy not in present:
                errors.append(FieldError(f"{at}.proxy", "proxy_not_present", user=line.proxy))
        elif line.proxy:
            errors.append(FieldError(f"{at}.proxy", "proxy_only_represented"))
    if errors:
        raise InvalidInput(errors)


def session_attendance(
    db: Database, actor: Actor, session_id: int
) -> tuple[Meeting, list[AttendanceLine], Quorum]:
    """The attendance and the quorum, for the chair and the funders of the session."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        return meeting, attendance_of(session, meeting), quorum_of(session, meeting)
