"""Scheduled reminders: one use case per kind, each an idempotent sweep over due dates.

Every reminder has a key (what, for which row, for which deadline, which step) stored in
`sent_reminders` with a unique constraint, in the same transaction as its outbox rows: a sweep
run twice, or by two schedulers at once, sends it once. A sweep that runs late (the server was
stopped) sends what became due meanwhile, once; when several steps of the same deadline came due
(7 days and 1 day before), only the nearest one goes out, since it says everything the earlier
one would have said.

Delays are counted on Paris clocks: "7 days before 31 March 2026 at 12:00" is 24 March at 12:00
in Paris, 167 hours earlier, since the clocks go forward in between. Instants are stored in UTC
and shown in Europe/Paris.

Choices a committee expects:
- holders of a draft (or an incomplete file, which must be submitted again) are reminded before
  the call's deadline (`reminder_draft_days`, default 7 and 1);
- convocations are the chair's act (`POST /sessions/{id}/convene` sends them at once, with the
  agenda the chair checked). `convocation_days_before` days before the session, the scheduler
  sends the members of a convened session a reminder with their convocation attached again; if the
  session is still only planned, it tells the chair that convocations are due instead of
  convening in the chair's place with an agenda nobody confirmed;
- the funders with shares still undecided on the agenda are reminded `reminder_undecided_days`
  days before the session;
- holders with a granted share are reminded that the final financial report (CERFA 15059) is due
  `final_report_months` months after the end of the action (`final_report_reminder_days` before
  that date, at `reminder_hour` Paris time).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from engine.clock import PARIS, now
from engine.db import Database
from engine.models import (
    AgendaItem,
    Application,
    Call,
    Event,
    Funder,
    Letter,
    Meeting,
    OutboxMessage,
    SentReminder,
    Share,
)
from engine.notify.outbox import (
    chair_recipients,
    committee_recipients,
    enqueue,
    funder_recipients,
    notify_holder,
)
from engine.settings import Settings
from workflows.application import APPLICATION
from workflows.share import SHARE

EDITABLE = APPLICATION.tagged("editable")
UNDECIDED = SHARE.tagged("undecided")
UPCOMING = ("planned", "convened")


class _Skip(Exception):
    """Nothing to send after all (the row changed since the sweep read it)."""


def days_before(moment: datetime, days: int) -> datetime:
    """`days` calendar days before `moment` on Paris clocks, as a UTC instant."""
    return (moment.astimezone(PARIS) - timedelta(days=days)).astimezone(UTC)


def paris_moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """Same day `months` later, or the month's last day (31 August + 6 months = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def nearest_step(
    moment: datetime, deadline: datetime, starts: Iterable[tuple[int, datetime]]
) -> int | None:
    """The step (days before) whose time has come, nearest the deadline; None before or after.

    `starts` pairs each step with the instant it starts."""
    if moment >= deadline:
        return None
    due = [step for step, start in starts if start <= moment]
    return min(due) if due else None


def send_once(
    db: Database,
    key: str,
    kind: str,
    write: Callable[[Session], None],
    *,
    application_id: int | None = None,
    session_id: int | None = None,
) -> bool:
    """Record the reminder's key and write its outbox rows in one transaction, once ever."""
    try:
        with db.transaction() as session:
            exists = session.exec(select(SentReminder.id).where(SentReminder.key == key)).first()
            if exists is not None:
                return False
            session.add(
                SentReminder(
                    key=key, kind=kind, application_id=application_id, session_id=session_id
                )
            )
            session.flush()  # a concurrent sweep holding the same key stops here
            write(session)
            return True
    except IntegrityError:
        return False
    except _Skip:
        return False


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


# --- Holders: drafts before the call's deadline ---------------------------------------------


def remind_draft_deadlines(db: Database, settings: Settings) -> int:
    moment = now()
    steps = settings.reminder_draft_days
    if not steps:
        return 0
    horizon = days_before(moment, -(max(steps) + 1))
    with db.reading() as session:
        calls = list(
            session.exec(
                select(Call).where(
                    Call.state == "open", Call.closes_at > moment, Call.closes_at <= horizon
                )
            )
        )
        todo: list[tuple[Call, int, int]] = []
        for call in calls:
            starts = [(d, days_before(call.closes_at, d)) for d in steps]
            step = nearest_step(moment, call.closes_at, starts)
            if step is None:
                continue
            drafts = session.exec(
                select(Application.id).where(
                    Application.call_id == call.id, col(Application.state).in_(EDITABLE)
                )
            )
            todo += [(call, app_id or 0, step) for app_id in drafts]
    sent = 0
    for call, app_id, step in todo:
        key = f"draft:{app_id}:{_stamp(call.closes_at)}:{step}d"
        write = partial(_write_draft_reminder, call_id=call.id or 0, app_id=app_id, step=step)
        sent += send_once(db, key, "draft_reminder", write, application_id=app_id)
    return sent


def _write_draft_reminder(session: Session, *, call_id: int, app_id: int, step: int) -> None:
    application = session.get(Application, app_id)
    call = session.get(Call, call_id)
    if application is None or call is None or application.state not in EDITABLE:
        raise _Skip
    notify_holder(session, application, "draft_reminder", call=call, days=step)


# --- The committee: convocations before a session -------------------------------------------


def _agenda_count(session: Session, session_id: int) -> int:
    return len(list(session.exec(select(AgendaItem.id).where(AgendaItem.session_id == session_id))))


def _convened_at(session: Session, session_id: int) -> datetime | None:
    return session.exec(
        select(Event.created_at)
        .where(Event.entity == "session", Event.entity_id == session_id, Event.action == "convene")
        .order_by(col(Event.id))
    ).first()


def _convocation_of(session: Session, meeting: Meeting, email: str) -> list[int]:
    """The convocation PDF this person was sent when the session was convened."""
    letters = set(
        session.exec(
            select(Letter.id).where(Letter.session_id == meeting.id, Letter.kind == "convocation")
        )
    )
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "convocation", OutboxMessage.recipient == email)
        .order_by(col(OutboxMessage.id).desc())
    )
    for row in rows:
        found = [i for i in row.attachments if i in letters]
        if found:
            return found[:1]
    return []


def remind_convocations(db: Database, settings: Settings) -> int:
    moment = now()
    days = settings.convocation_days_before
    with db.reading() as session:
        meetings = [
            m
            for m in session.exec(
                select(Meeting).where(col(Meeting.state).in_(UPCOMING), Meeting.starts_at > moment)
            )
            if days_before(m.starts_at, days) <= moment
        ]
        plans = []
        for meeting in meetings:
            threshold = days_before(meeting.starts_at, days)
            if meeting.state == "convened":
                convened_at = _convened_at(session, meeting.id or 0)
                if convened_at is not None and convened_at >= threshold:
                    continue  # convened within the delay: the convocations have just gone out
            plans.append((meeting, meeting.state))
    sent = 0
    for meeting, state in plans:
        stamp = _stamp(meeting.starts_at)
        if state == "convened":
            key, kind = f"convocation:{meeting.id}:{stamp}", "convocation_reminder"
        else:
            key, kind = f"not_convened:{meeting.id}:{stamp}", "session_not_convened"
        write = partial(_write_convocation, meeting_id=meeting.id or 0, kind=kind, days=days)
        sent += send_once(db, key, kind, write, session_id=meeting.id)
    return sent


def _write_convocation(session: Session, *, meeting_id: int, kind: str, days: int) -> None:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.state not in UPCOMING:
        raise _Skip
    count = _agenda_count(session, meeting_id)
    if kind == "session_not_convened":
        if meeting.state != "planned":
            raise _Skip
        context: dict[str, Any] = {"meeting": meeting, "count": count, "days": days}
        for email in chair_recipients(session):
            enqueue(session, kind, email, context, session_id=meeting_id)
        return
    for _, email in committee_recipients(session, meeting.call_id):
        attachments = _convocation_of(session, meeting, email)
        context = {"meeting": meeting, "count": count, "attached": bool(attachments)}
        enqueue(session, kind, email, context, attachments=attachments, session_id=meeting_id)


# --- Funders: undecided shares before a session ---------------------------------------------


def remind_undecided_shares(db: Database, settings: Settings) -> int:
    moment = now()
    days = settings.reminder_undecided_days
    todo: list[tuple[int, int, int]] = []
    with db.reading() as session:
        meetings = [
            m
            for m in session.exec(
                select(Meeting).where(col(Meeting.state).in_(UPCOMING), Meeting.starts_at > moment)
            )
            if days_before(m.starts_at, days) <= moment
        ]
        for meeting in meetings:
            funders = set(
                session.exec(
                    select(Share.funder_id)
                    .join(AgendaItem, col(AgendaItem.application_id) == col(Share.application_id))
                    .join(Application, col(Application.id) == col(Share.application_id))
                    .where(
                        AgendaItem.session_id == meeting.id,
                        Application.eligibility == "eligible",
                        col(Share.state).in_(UNDECIDED),
                    )
                )
            )
            todo += [(meeting.id or 0, _stamp(meeting.starts_at), f) for f in sorted(funders)]
    sent = 0
    for meeting_id, stamp, funder_id in todo:
        key = f"undecided:{meeting_id}:{funder_id}:{stamp}"
        write = partial(_write_undecided, meeting_id=meeting_id, funder_id=funder_id)
        sent += send_once(db, key, "undecided_shares", write, session_id=meeting_id)
    return sent


def _write_undecided(session: Session, *, meeting_id: int, funder_id: int) -> None:
    meeting = session.get(Meeting, meeting_id)
    funder = session.get(Funder, funder_id)
    if meeting is None or funder is None or meeting.state not in UPCOMING:
        raise _Skip
    rows = session.exec(
        select(Application, Share)
        .join(AgendaItem, col(AgendaItem.application_id) == col(Application.id))
        .join(Share, col(Share.application_id) == col(Application.id))
        .where(
            AgendaItem.session_id == meeting_id,
            Application.eligibility == "eligible",
            Share.funder_id == funder_id,
            col(Share.state).in_(UNDECIDED),
        )
        .order_by(col(AgendaItem.position))
    )
    items = [
        {
            "reference": a.reference or str(a.id),
            "title": a.title,
            "requested": s.requested,
            "proposed": s.proposed,
        }
        for a, s in rows
    ]
    if not items:
        raise _Skip
    context = {"meeting": meeting, "funder": funder, "items": items}
    for email in funder_recipients(session, funder):
        enqueue(session, "undecided_shares", email, context, session_id=meeting_id)


# --- Holders: final financial report after the action ---------------------------------------


def final_report_due(application: Application, settings: Settings) -> date | None:
    try:
        end = date.fromisoformat(application.data["period"]["end"])
    except (KeyError, TypeError, ValueError):
        return None
    return add_months(end, settings.final_report_months)


def remind_final_reports(db: Database, settings: Settings) -> int:
    moment = now()
    steps = settings.final_report_reminder_days
    if not steps:
        return 0
    todo: list[tuple[int, date, int]] = []
    with db.reading() as session:
        granted = set(
            session.exec(
                select(Share.application_id).where(Share.state == "granted", col(Share.granted) > 0)
            )
        )
        applications = session.exec(
            select(Application).where(
                col(Application.state).in_(("decided", "notified")),
                col(Application.id).in_(granted),
            )
        )
        for application in applications:
            due = final_report_due(application, settings)
            if due is None:
                continue
            starts = [
                (d, paris_moment(due - timedelta(days=d), settings.reminder_hour)) for d in steps
            ]
            # Until the end of the due date, Paris time.
            step = nearest_step(moment, paris_moment(due + timedelta(days=1), 0), starts)
            if step is not None:
                todo.append((application.id or 0, due, step))
    sent = 0
    for app_id, due, step in todo:
        key = f"final_report:{app_id}:{due.isoformat()}:{step}d"
        write = partial(_write_final_report, app_id=app_id, due=due, settings=settings)
        sent += send_once(db, key, "final_report_due", write, application_id=app_id)
    return sent


def _write_final_report(session: Session, *, app_id: int, due: date, settings: Settings) -> None:
    application = session.get(Application, app_id)
    if application is None:
        raise _Skip
    funders = {f.id: f for f in session.exec(select(Funder))}
    granted = session.exec(
        select(Share)
        .where(Share.application_id == app_id, Share.state == "granted")
        .order_by(col(Share.id))
    )
    lines = [{"funder_name": funders[s.funder_id].name, "amount": s.granted} for s in granted]
    notify_holder(
        session,
        application,
        "final_report_due",
        due=due,
        period_end=date.fromisoformat(application.data["period"]["end"]),
        months=settings.final_report_months,
        lines=lines,
    )


def run_all(db: Database, settings: Settings) -> dict[str, int]:
    """Every reminder sweep once (the scheduler runs them as separate jobs)."""
    return {
        "draft_reminder": remind_draft_deadlines(db, settings),
        "convocation": remind_convocations(db, settings),
        "undecided_shares": remind_undecided_shares(db, settings),
        "final_report_due": remind_final_reports(db, settings),
    }


def next_call_deadline(db: Database) -> datetime | None:
    """The next deadline of an open call, for the scheduler to close it on time."""
    with db.reading() as session:
        return session.exec(
            select(Call.closes_at)
            .where(Call.state == "open", Call.closes_at > now())
            .order_by(col(Call.closes_at))
        ).first()
