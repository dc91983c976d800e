"""The scheduler: APScheduler 3 with its job store in the application's database, run by exactly
one process at a time (engine/jobs/leader.py), inside `cofinance serve` or as `cofinance
scheduler`.

Every job is a sweep over due dates (engine/jobs/tasks.py), run at start and then every
`scheduler_sweep_seconds` (the production of letters and the outbox every
`scheduler_dispatch_seconds`), with
`coalesce=True, max_instances=1, misfire_grace_time=None`: a run missed while no process was up
is made once when one starts, never dropped (APScheduler's default grace of 1 s drops it) and
never doubled. A call's deadline also gets a date job at `closes_at`, stored in the job store,
so the call closes on time; submissions after the deadline are refused anyway (rule G8).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from engine.db import Database, make_engine
from engine.jobs import tasks
from engine.jobs.leader import LeaderLock, leader_lock
from engine.settings import Settings

log = logging.getLogger("cofinance.scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
JOBS_TABLE = "apscheduler_jobs"


def jobs(settings: Settings) -> list[tuple[str, Callable[[], None], float]]:
    """(id, function, period in seconds) of every recurring job."""
    sweep, dispatch = settings.scheduler_sweep_seconds, settings.scheduler_dispatch_seconds
    return [
        ("close-calls", tasks.close_calls, sweep),
        ("remind-drafts", tasks.remind_drafts, sweep),
        ("convocations", tasks.convocations, sweep),
        ("undecided-shares", tasks.remind_undecided_shares, sweep),
        ("final-reports", tasks.remind_final_reports, sweep),
        ("report-reminders", tasks.remind_reports, sweep),
        ("production", tasks.produce_documents, dispatch),
        ("dispatch-outbox", tasks.dispatch_outbox, dispatch),
    ]


class _Scheduler(BackgroundScheduler):  # type: ignore[misc]  # APScheduler 3 is untyped
    """APScheduler's loop may start one more pass while `shutdown()` closes the executors and
    the job store (a new database connection, never closed; "cannot schedule new futures").
    Here `shutdown()` first waits for the current pass and lets no new one start."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pass_lock = threading.Lock()
        self._closing = False

    def _process_jobs(self) -> float | None:
        with self._pass_lock:
            if self._closing:
                return None
            wait: float | None = super()._process_jobs()
            return wait

    def shutdown(self, wait: bool = True) -> None:
        with self._pass_lock:
            self._closing = True
        super().shutdown(wait)


def build_scheduler(settings: Settings) -> BackgroundScheduler:
    store = SQLAlchemyJobStore(
        engine=make_engine(settings.effective_database_url), tablename=JOBS_TABLE
    )
    return _Scheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )


def add_jobs(scheduler: BackgroundScheduler, settings: Settings) -> None:
    """Replace the stored recurring jobs by today's, each due now: every sweep runs once at
    start (what came due while no scheduler ran) and the stored next run times of a long-gone
    leader leave no backlog to walk through. Call it while the scheduler is paused."""
    known = {job_id for job_id, _, _ in jobs(settings)}
    for job in scheduler.get_jobs():
        if job.id not in known and not job.id.startswith(tasks.CALL_DEADLINE_JOB):
            scheduler.remove_job(job.id)  # a job of an older version
    start = datetime.now(UTC)
    for job_id, function, seconds in jobs(settings):
        scheduler.add_job(
            function,
            "interval",
            seconds=seconds,
            id=job_id,
            name=job_id,
            replace_existing=True,
            next_run_time=start,
        )


class SchedulerService:
    """Runs in a thread: tries to become the leader, runs the jobs while it is, steps down when
    it stops or loses the lock, and meanwhile tries again every `scheduler_lock_retry_seconds`."""

    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db if db is not None else Database(settings.effective_database_url)
        self._owns_db = db is None
        self._stop = threading.Event()
        self._leading = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        return self._leading.is_set()

    def wait_until_leader(self, timeout: float) -> bool:
        return self._leading.wait(timeout)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="cofinance-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._owns_db:
            self.db.dispose()

    def _run(self) -> None:
        retry = self.settings.scheduler_lock_retry_seconds
        lock = leader_lock(self.settings)
        log.info("scheduler: started, waiting to be the leader (%s)", lock.description)
        try:
            while not self._stop.is_set():
                try:
                    acquired = lock.acquire()
                except Exception:
                    log.exception("scheduler: cannot take the lock")
                    acquired = False
                if not acquired:
                    self._stop.wait(retry)
                    continue
                log.info("scheduler: leader, running the jobs (%s)", lock.description)
                failed = False
                try:
                    self._lead(lock)
                except Exception:
                    log.exception("scheduler: stopped by an error; trying again")
                    failed = True
                finally:
                    self._leading.clear()
                    lock.release()  # at once: another process may lead meanwhile
                if failed:
                    self._stop.wait(retry)
        finally:
            lock.close()

    def _lead(self, lock: LeaderLock) -> None:
        scheduler = build_scheduler(self.settings)
        tasks.install(tasks.JobContext(self.db, self.settings, scheduler))
        scheduler.start(paused=True)
        stopping = False
        try:
            add_jobs(scheduler, self.settings)
            scheduler.resume()
            self._leading.set()
            while not self._stop.wait(self.settings.scheduler_lock_retry_seconds):
                if not lock.held():
                    log.error("scheduler: lock lost, no longer the leader")
                    break
            stopping = self._stop.is_set()
        finally:
            # On a normal stop, let the running jobs finish; when the lock is lost, another
            # process may already be the leader: do not start anything more.
            scheduler.shutdown(wait=stopping)
            tasks.install(None)
            log.info("scheduler: stepped down")


def configure_logging(level: int = logging.INFO) -> None:
    """Our loggers (cofinance.*) on stderr, with the process id: several may run side by side."""
    logger = logging.getLogger("cofinance")
    if logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(level)
    apscheduler = logging.getLogger("apscheduler")  # its job errors, not its chatter
    apscheduler.addHandler(handler)
    apscheduler.setLevel(logging.WARNING)
