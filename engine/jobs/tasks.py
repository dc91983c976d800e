"""The scheduled jobs. Each calls one service and is an idempotent sweep over due dates, so a
run that comes late, or twice, does the right thing once.

APScheduler's job store keeps only a textual reference to these functions (no arguments): the
database and the settings come from the context the running scheduler installs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from engine.access import SYSTEM
from engine.db import Database
from engine.notify import deliver
from engine.services import calls, production, reminders
from engine.services.reminders.reports import remind_reports as remind_report_deadlines
from engine.settings import Settings

log = logging.getLogger("cofinance.jobs")

CALL_DEADLINE_JOB = "call-deadline"


@dataclass(frozen=True)
class JobContext:
    db: Database
    settings: Settings
    scheduler: Any = None  # the APScheduler instance, to schedule the next call deadline


_context: JobContext | None = None


def install(context: JobContext | None) -> None:
    global _context
    _context = context


def _ctx() -> JobContext:
    if _context is None:
        raise RuntimeError("no scheduler context: start the scheduler with engine.scheduler")
    return _context


def _ran(job: str, result: object) -> None:
    log.info("job %s ran: %s", job, result)


def close_calls() -> None:
    """Close the calls whose deadline has passed, then watch for the next deadline."""
    ctx = _ctx()
    _ran("close-calls", {"closed": calls.close_due_calls(ctx.db, SYSTEM)})
    deadline = reminders.next_call_deadline(ctx.db)
    if deadline is not None and ctx.scheduler is not None:
        # One job per deadline instant (a date job is removed once run; reusing one id could
        # remove the job this very run adds). Re-adding the same deadline replaces it.
        job_id = f"{CALL_DEADLINE_JOB}-{int(deadline.timestamp())}"
        ctx.scheduler.add_job(
            close_calls, "date", run_date=deadline, id=job_id, name=job_id, replace_existing=True
        )


def remind_drafts() -> None:
    ctx = _ctx()
    _ran("remind-drafts", reminders.remind_draft_deadlines(ctx.db, ctx.settings))


def convocations() -> None:
    ctx = _ctx()
    _ran("convocations", reminders.remind_convocations(ctx.db, ctx.settings))


def remind_undecided_shares() -> None:
    ctx = _ctx()
    _ran("undecided-shares", reminders.remind_undecided_shares(ctx.db, ctx.settings))


def remind_final_reports() -> None:
    ctx = _ctx()
    _ran("final-reports", reminders.remind_final_reports(ctx.db, ctx.settings))


def remind_reports() -> None:
    ctx = _ctx()
    _ran("report-reminders", remind_report_deadlines(ctx.db, ctx.settings))


def dispatch_outbox() -> None:
    ctx = _ctx()
    _ran("dispatch-outbox", deliver.dispatch_outbox(ctx.db, ctx.settings))


def produce_documents() -> None:
    """Letters, minutes and convocations recorded by a close or a convening and not produced
    yet: a process killed mid-job, a failure retried (engine/services/production/)."""
    ctx = _ctx()
    _ran("production", production.run_production(ctx.db, ctx.settings))
