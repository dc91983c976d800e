"""Producing the documents a session's decisions call for, after the decisions are locked.

Closing a session locks its decisions in one short transaction (engine/services/sessions.py)
and records in it what must be produced (`jobs.py`): one `letter` job per decided file (the
holder's letter, one letter per funder, the emails attaching them), one `minutes` job;
convening records one `convocation` job per member. Workers produce them afterwards
(`worker.py`: claim, render outside any transaction, store once), each kind of job saying what
it renders and stores (`describe.py`).

Workers run from the scheduler (engine/jobs/tasks.py, every `scheduler_dispatch_seconds`) and,
right after a close or a convening commits, in a background thread of that process (`kick`,
below): a single process produces and delivers at once, and the request that closed never waits
for rendering nor for SMTP.
"""

from __future__ import annotations

import logging
import threading

from engine.db import Database, get_database
from engine.notify.deliver import dispatch_outbox
from engine.services.production.jobs import (
    STATUS_LABELS,
    Progress,
    progress,
    record_convocation,
    record_letters,
    record_minutes,
)
from engine.services.production.worker import run_production
from engine.settings import Settings

__all__ = [
    "IN_BACKGROUND",
    "STATUS_LABELS",
    "Progress",
    "kick",
    "produce_and_deliver",
    "progress",
    "record_convocation",
    "record_letters",
    "record_minutes",
    "resume_at_start",
    "run_production",
    "stop",
    "wait_idle",
]

log = logging.getLogger("cofinance.production")

# After the commit of a close or a convening, produce in a background thread (True), or right
# away in the caller's thread (the tests, which then see every letter when the call returns).
IN_BACKGROUND = True


class _Kicker:
    """One background thread per process producing (then delivering) what was just recorded;
    a kick while it runs makes it run once more."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: dict[int, tuple[Database, Settings]] = {}
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()

    def kick(self, db: Database, settings: Settings) -> None:
        with self.lock:
            self.queue[id(db)] = (db, settings)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="cofinance-production", daemon=True
                )
                self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            with self.lock:
                if not self.queue:
                    self.thread = None
                    return
                _, (db, settings) = self.queue.popitem()
            try:
                produce_and_deliver(db, settings, self.stopping)
            except Exception:
                log.exception("production failed; the scheduler takes it up again")
        with self.lock:
            self.queue.clear()
            self.thread = None

    def wait(self, timeout: float | None = None) -> bool:
        with self.lock:
            thread = self.thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """The process is stopping: the job being stored ends, the others are released."""
        self.stopping.set()
        try:
            self.wait(timeout)
        finally:
            self.stopping.clear()


_KICKER = _Kicker()


def produce_and_deliver(
    db: Database, settings: Settings, stop: threading.Event | None = None
) -> int:
    """Produce every due job, then deliver the emails it queued (what is due of the outbox)."""
    produced = run_production(db, settings, stop=stop)
    while (stop is None or not stop.is_set()) and dispatch_outbox(db, settings):
        pass
    return produced


def kick(db: Database, settings: Settings) -> None:
    """Called right after the commit that recorded production jobs."""
    if IN_BACKGROUND:
        _KICKER.kick(db, settings)
    else:
        produce_and_deliver(db, settings)


def resume_at_start(settings: Settings) -> None:
    """At the start of `cofinance serve`: what a stopped process left to produce (jobs whose
    lease has passed), in the background, never in the way of the start."""
    try:
        _KICKER.kick(get_database(settings), settings)
    except Exception:
        log.exception("production could not resume at start; the scheduler takes it up")


def wait_idle(timeout: float | None = None) -> bool:
    """Wait for this process's background production to finish (tests, the demo)."""
    return _KICKER.wait(timeout)


def stop(timeout: float = 30.0) -> None:
    _KICKER.stop(timeout)
