"""Scheduled reminders: one use case per kind, each an idempotent sweep over due dates.

Every reminder has a key (what, for which row, for which deadline, which step) stored in
`sent_reminders` with a unique constraint, in the same transaction as its outbox rows: a sweep
run twice, or by two schedulers at once, sends it once. A sweep that runs late (the server was
stopped) sends what became due meanwhile, once; when several steps of the same deadline came due
(7 days and 1 day before), only the nearest one goes out, since it says everything the earlier
one would have said.

Delays are counted on Paris clocks (`timing.py`); instants are stored in UTC and shown in
Europe/Paris. The sweeps: `holders.py` (drafts, final reports), `committee.py` (convocations,
undecided shares); `once.py` sends each reminder once.

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
  `report.delay_months` (a dated parameter) after the end of the action
  (`final_report_reminder_days` before that date, at `reminder_hour` Paris time).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from engine.clock import now
from engine.db import Database
from engine.models import Call
from engine.services.reminders.committee import remind_convocations, remind_undecided_shares
from engine.services.reminders.holders import (
    final_report_due,
    remind_draft_deadlines,
    remind_final_reports,
)
from engine.services.reminders.once import send_once
from engine.services.reminders.timing import add_months, days_before, nearest_step, paris_moment

__all__ = [
    "add_months",
    "days_before",
    "final_report_due",
    "nearest_step",
    "next_call_deadline",
    "paris_moment",
    "remind_convocations",
    "remind_draft_deadlines",
    "remind_final_reports",
    "remind_undecided_shares",
    "send_once",
]


def next_call_deadline(db: Database) -> datetime | None:
    """The next deadline of an open call, for the scheduler to close it on time."""
    with db.reading() as session:
        return session.exec(
            select(Call.closes_at)
            .where(Call.state == "open", Call.closes_at > now())
            .order_by(col(Call.closes_at))
        ).first()
