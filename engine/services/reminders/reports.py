"""Reminders of the final financial reports still awaited (engine/services/final_reports.py):
before their due date (`final_report_reminder_days`), on the day, and after it while overdue
(`final_report_overdue_days`), each once. A report handed back for a revision is reminded too.

Until the day, the nearest step whose time has come goes out (the 7-day one says everything the
30-day one would); once overdue, the latest step reached.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from sqlmodel import Session, col, select

from engine.clock import now
from engine.db import Database
from engine.models import Application, FinalReport, Funder, Share
from engine.notify.outbox import notify_holder
from engine.services.reminders.once import Skip, send_once
from engine.services.reminders.timing import nearest_step, paris_moment
from engine.settings import Settings
from workflows.report import REPORT

AWAITED = REPORT.tagged("awaited")


def remind_reports(db: Database, settings: Settings) -> int:
    moment = now()
    todo: list[tuple[int, int, date, str, int]] = []
    with db.reading() as session:
        reports = session.exec(
            select(FinalReport).where(col(FinalReport.state).in_(sorted(AWAITED)))
        )
        for report in reports:
            step = _step(report.due_on, moment, settings)
            if step is not None:
                phase, days = step
                todo.append((report.id or 0, report.application_id, report.due_on, phase, days))
    sent = 0
    for report_id, app_id, due, phase, days in todo:
        key = f"report:{report_id}:{due.isoformat()}:{phase}:{days}d"
        write = partial(_write, report_id=report_id, phase=phase, days=days)
        sent += send_once(db, key, "report_reminder", write, application_id=app_id)
    return sent


def _step(due: date, moment: datetime, settings: Settings) -> tuple[str, int] | None:
    """Which reminder is due at `moment`: ("before", days), ("on", 0), ("after", days)."""
    hour = settings.reminder_hour
    end_of_day = paris_moment(due + timedelta(days=1), 0)
    if moment < end_of_day:
        before = settings.final_report_reminder_days
        starts = [(d, paris_moment(due - timedelta(days=d), hour)) for d in before]
        starts.append((0, paris_moment(due, hour)))
        step = nearest_step(moment, end_of_day, starts)
        if step is None:
            return None
        return ("on", 0) if step == 0 else ("before", step)
    reached = [
        d
        for d in settings.final_report_overdue_days
        if paris_moment(due + timedelta(days=d), hour) <= moment
    ]
    return ("after", max(reached)) if reached else None


def _write(session: Session, *, report_id: int, phase: str, days: int) -> None:
    report = session.get(FinalReport, report_id)
    if report is None or report.state not in AWAITED:
        raise Skip  # submitted meanwhile
    application = session.get(Application, report.application_id)
    if application is None:
        raise Skip
    funders = {f.id: f for f in session.exec(select(Funder))}
    granted = session.exec(
        select(Share)
        .where(Share.application_id == application.id, Share.state == "granted")
        .order_by(col(Share.id))
    )
    lines = [
        {"funder_name": funders[s.funder_id].name, "amount": s.granted}
        for s in granted
        if s.granted
    ]
    notify_holder(
        session,
        application,
        "report_reminder",
        due=report.due_on,
        phase=phase,
        days=days,
        revision=report.state == "revision_requested",
        lines=lines,
    )
