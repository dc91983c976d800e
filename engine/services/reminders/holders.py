"""Reminders to holders: drafts before the call's deadline, the final financial report (CERFA
15059) after the action."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from sqlmodel import Session, col, select

from engine.clock import now
from engine.db import Database
from engine.models import Application, Call, FinalReport, Funder, Share
from engine.notify.outbox import notify_holder

# A module import: report_figures reads its calendar from this package (timing.add_months).
from engine.services import report_figures
from engine.services.reminders.once import Skip, send_once
from engine.services.reminders.timing import (
    days_before,
    nearest_step,
    paris_moment,
    stamp_of,
)
from engine.settings import Settings
from workflows.application import APPLICATION

EDITABLE = APPLICATION.tagged("editable")


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
        key = f"draft:{app_id}:{stamp_of(call.closes_at)}:{step}d"
        write = partial(_write_draft_reminder, call_id=call.id or 0, app_id=app_id, step=step)
        sent += send_once(db, key, "draft_reminder", write, application_id=app_id)
    return sent


def _write_draft_reminder(session: Session, *, call_id: int, app_id: int, step: int) -> None:
    application = session.get(Application, app_id)
    call = session.get(Call, call_id)
    if application is None or call is None or application.state not in EDITABLE:
        raise Skip
    notify_holder(session, application, "draft_reminder", call=call, days=step)


def final_report_due(application: Application) -> date | None:
    """The due date the report will have once opened (report_figures.due_date)."""
    try:
        return report_figures.due_date(application)
    except (KeyError, TypeError, ValueError):
        return None


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
        # A file whose final report is open is reminded from that report (reminders/reports.py).
        opened = session.exec(select(FinalReport.application_id)).all()
        granted.difference_update(opened)
        applications = session.exec(
            select(Application).where(
                col(Application.state).in_(("decided", "notified")),
                col(Application.id).in_(granted),
            )
        )
        for application in applications:
            due = final_report_due(application)
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
        raise Skip
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
        months=report_figures.delay_months(date.fromisoformat(application.data["period"]["end"])),
        lines=lines,
    )
