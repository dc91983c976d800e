"""Producing the documents a session's decisions call for, after the decisions are locked.

Closing a session locks its decisions in one short transaction (engine/services/sessions.py)
and records in it what must be produced: one `letter` job per decided file (the holder's letter,
one letter per funder, the emails attaching them), one `minutes` job; convening records one
`convocation` job per member. Workers produce them afterwards, in three steps:

1. **claim** (one short transaction: `FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE`
   on SQLite): due pending jobs get `attempts + 1` and a lease (`lease_until`); the attempt
   number is the claim's token. Several processes never render the same job at once.
2. **render**, outside any transaction (in worker processes when there are many documents);
3. **store**, one transaction per job: mark the job done only if it is still pending with our
   token (a conditional UPDATE, its row count checked), then its letters with their PDFs
   (blobs), the emails attaching them, and — when the holder has no email address, the letter
   being then available on the holder's pages — the domain step `mark_notified`.

A job produced twice therefore stores once: the second store finds the job done, or its token
stale, and rolls back. A worker killed anywhere leaves its jobs pending; another process takes
them over once their lease has passed (`COFINANCE_PRODUCTION_LEASE_SECONDS`). A job that fails
is retried with a growing delay, its error kept in `last_error`.

Workers run from the scheduler (engine/jobs/tasks.py, every `scheduler_dispatch_seconds`) and,
right after a close or a convening commits, in a background thread of that process (`kick`):
a single process produces and delivers at once, and the request that closed never waits for
rendering nor for SMTP.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from engine.access import SYSTEM, Actor
from engine.clock import now, paris_date
from engine.db import Database, get_database
from engine.models import (
    AgendaItem,
    Application,
    Funder,
    Meeting,
    ProductionJob,
    Share,
    User,
)
from engine.notify.deliver import dispatch_outbox
from engine.notify.outbox import enqueue, funder_recipients, notify_holder
from engine.services import letters
from engine.services.notification import mark_notified
from engine.settings import Settings

log = logging.getLogger("cofinance.production")

KINDS = ("letter", "minutes", "convocation")
STATUS_LABELS = {"eligible": "Recevable", "ineligible": "Non recevable", "incomplete": "Incomplet"}

# Instrumentation points, empty in production: a test sets one to stop a worker at an exact
# moment (`after_render`: the job's PDFs are rendered, nothing is stored yet).
HOOKS: dict[str, Callable[[ProductionJob], None]] = {}

# After the commit of a close or a convening, produce in a background thread (True), or right
# away in the caller's thread (the tests, which then see every letter when the call returns).
IN_BACKGROUND = True


# --- recording what to produce (in the transaction that locks the decisions) ----------------


def record_letters(
    session: Session, meeting: Meeting, application: Application, actor: Actor
) -> ProductionJob:
    """The decision letters of one file: to the holder, and one per funder."""
    key = f"letter:{meeting.id}:{application.id}"
    return _record(session, key, "letter", meeting, actor, application_id=application.id)


def record_minutes(session: Session, meeting: Meeting, actor: Actor) -> ProductionJob:
    return _record(session, f"minutes:{meeting.id}", "minutes", meeting, actor)


def record_convocation(
    session: Session,
    meeting: Meeting,
    actor: Actor,
    name: str,
    email: str,
    agenda: Sequence[Application],
) -> ProductionJob:
    """One member's convocation, with the agenda as it is now (the one the chair convened)."""
    return _record(
        session,
        f"convocation:{meeting.id}:{email}",
        "convocation",
        meeting,
        actor,
        data={"name": name, "email": email, "agenda": [a.id for a in agenda]},
    )


def _record(
    session: Session,
    key: str,
    kind: str,
    meeting: Meeting,
    actor: Actor,
    application_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> ProductionJob:
    job = ProductionJob(
        key=key[:200],
        kind=kind,
        session_id=meeting.id or 0,
        application_id=application_id,
        actor_id=actor.id,
        data=data or {},
    )
    session.add(job)
    return job


# --- progress --------------------------------------------------------------------------------


CLOSE_KINDS = ("letter", "minutes")


@dataclass(frozen=True)
class Progress:
    """How far the production of a session's documents is, by kind: (done, total). `done` and
    `total` count the session's current stage: once it is closed, the letters of its files and
    the minutes; before, its convocations."""

    kinds: dict[str, tuple[int, int]] = field(default_factory=dict)

    def of(self, kind: str) -> tuple[int, int]:
        return self.kinds.get(kind, (0, 0))

    @property
    def stage(self) -> tuple[str, ...]:
        return CLOSE_KINDS if any(k in self.kinds for k in CLOSE_KINDS) else ("convocation",)

    @property
    def done(self) -> int:
        return sum(self.of(kind)[0] for kind in self.stage)

    @property
    def total(self) -> int:
        return sum(self.of(kind)[1] for kind in self.stage)

    @property
    def minutes_ready(self) -> bool:
        done, total = self.of("minutes")
        return total > 0 and done == total


def progress(session: Session, session_id: int) -> Progress:
    rows = session.exec(
        select(ProductionJob.kind, ProductionJob.state, func.count())
        .where(ProductionJob.session_id == session_id)
        .group_by(col(ProductionJob.kind), col(ProductionJob.state))
    )
    kinds: dict[str, tuple[int, int]] = {}
    for kind, state, count in rows:
        done, total = kinds.get(kind, (0, 0))
        kinds[kind] = (done + (count if state == "done" else 0), total + count)
    return Progress(kinds)


# --- the worker ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    job_id: int
    token: int  # the attempt number this claim made; storing needs it unchanged


@dataclass
class _Work:
    """A claimed job, described: the documents to render and how to store their PDFs."""

    claim: Claim
    job: ProductionJob
    documents: list[letters.Document]
    store: Callable[[Session, list[bytes]], None]


class _Lost(Exception):
    """The job is no longer ours: done by another worker, or taken over after our lease."""


def run_production(
    db: Database, settings: Settings, limit: int | None = None, stop: threading.Event | None = None
) -> int:
    """Produce every due job, claimed in batches; returns how many this call produced."""
    produced = 0
    while stop is None or not stop.is_set():
        claims = _claim(db, settings, limit or settings.production_batch_size)
        if not claims:
            break
        produced += _produce(db, settings, claims, stop)
    return produced


def _claim(db: Database, settings: Settings, limit: int) -> list[Claim]:
    moment = now()
    with db.transaction() as session:
        query = (
            select(ProductionJob)
            .where(
                ProductionJob.state == "pending",
                or_(
                    col(ProductionJob.lease_until).is_(None),
                    col(ProductionJob.lease_until) <= moment,
                ),
            )
            .order_by(col(ProductionJob.id))
            .limit(limit)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = list(session.exec(query))
        lease = moment + timedelta(seconds=settings.production_lease_seconds)
        for row in rows:
            row.attempts += 1
            row.lease_until = lease
        return [Claim(row.id or 0, row.attempts) for row in rows]


def _produce(
    db: Database, settings: Settings, claims: list[Claim], stop: threading.Event | None
) -> int:
    works: list[_Work] = []
    failures: list[tuple[Claim, Exception]] = []
    with db.reading() as session:
        context = _Context(session, settings, claims)
        for claim in claims:
            try:
                works.append(context.describe(claim))
            except Exception as error:  # a bug, or a row gone: this job waits for its retry
                log.exception("production job %s: cannot be described", claim.job_id)
                failures.append((claim, error))
    for claim, problem in failures:
        _failed(db, settings, claim, problem)
    pdfs = letters.render_documents([d for work in works for d in work.documents])
    produced = 0
    try:
        for index, work in enumerate(works):
            if stop is not None and stop.is_set():
                # The process is stopping: what is not produced yet goes back at once.
                for rest in works[index:]:
                    _release(db, rest.claim)
                break
            try:
                rendered = [next(pdfs) for _ in work.documents]
            except Exception as error:  # the renderer failed: this job and the rest wait
                log.exception("production job %s: rendering failed", work.claim.job_id)
                for rest in works[index:]:
                    _failed(db, settings, rest.claim, error)
                break
            _hook("after_render", work.job)
            try:
                produced += _store(db, work, rendered)
            except Exception as error:
                log.exception("production job %s: storing failed", work.claim.job_id)
                _failed(db, settings, work.claim, error)
    finally:
        pdfs.close()  # also when stopped half-way: the rendering workers end
    return produced


def _store(db: Database, work: _Work, pdfs: list[bytes]) -> int:
    """Mark the job done and store what it produced, in one transaction; 0 if it was not ours."""
    try:
        with db.transaction() as session:
            taken = session.execute(
                update(ProductionJob)
                .where(
                    col(ProductionJob.id) == work.claim.job_id,
                    col(ProductionJob.state) == "pending",
                    col(ProductionJob.attempts) == work.claim.token,
                )
                .values(state="done", done_at=now(), lease_until=None, last_error=None)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise _Lost
            work.store(session, pdfs)
    except _Lost:
        log.info("production job %s: done by another worker meanwhile", work.claim.job_id)
        return 0
    return 1


def _failed(db: Database, settings: Settings, claim: Claim, error: Exception) -> None:
    with db.transaction() as session:
        job = session.get(ProductionJob, claim.job_id)
        if job is None or job.state != "pending" or job.attempts != claim.token:
            return
        job.last_error = f"{type(error).__name__}: {error}"[:2000]
        delay = min(60.0 * 2 ** max(job.attempts - 1, 0), settings.production_backoff_max_seconds)
        job.lease_until = now() + timedelta(seconds=delay)


def _release(db: Database, claim: Claim) -> None:
    with db.transaction() as session:
        job = session.get(ProductionJob, claim.job_id)
        if job is not None and job.state == "pending" and job.attempts == claim.token:
            job.lease_until = None


def _hook(point: str, job: ProductionJob) -> None:
    hook = HOOKS.get(point)
    if hook is not None:
        hook(job)


class _Context:
    """What the jobs of one batch read, loaded once: funders, the shares of their files."""

    def __init__(self, session: Session, settings: Settings, claims: list[Claim]) -> None:
        self.session = session
        self.settings = settings
        self.jobs = {
            job.id: job
            for job in session.exec(
                select(ProductionJob).where(col(ProductionJob.id).in_([c.job_id for c in claims]))
            )
        }
        self.funders: dict[int | None, Funder] = {f.id: f for f in session.exec(select(Funder))}
        self.meetings: dict[int, Meeting] = {}
        self.signers: dict[int | None, Actor] = {}
        wanted = {j.application_id for j in self.jobs.values() if j.kind == "letter"}
        self.shares: dict[int | None, list[Share]] = {i: [] for i in wanted}
        for share in session.exec(
            select(Share).where(col(Share.application_id).in_(list(wanted))).order_by(col(Share.id))
        ):
            self.shares[share.application_id].append(share)

    def meeting(self, session_id: int) -> Meeting:
        if session_id not in self.meetings:
            meeting = self.session.get(Meeting, session_id)
            if meeting is None:
                raise LookupError(f"no session {session_id}")
            self.meetings[session_id] = meeting
        return self.meetings[session_id]

    def signer(self, job: ProductionJob) -> Actor:
        if job.actor_id not in self.signers:
            user = self.session.get(User, job.actor_id) if job.actor_id is not None else None
            self.signers[job.actor_id] = Actor.of(user) if user is not None else SYSTEM
        return self.signers[job.actor_id]

    def describe(self, claim: Claim) -> _Work:
        job = self.jobs.get(claim.job_id)
        if job is None:
            raise LookupError(f"no production job {claim.job_id}")
        meeting = self.meeting(job.session_id)
        if job.kind == "letter":
            return self._letters(claim, job, meeting)
        if job.kind == "minutes":
            return self._minutes(claim, job, meeting)
        if job.kind == "convocation":
            return self._convocation(claim, job, meeting)
        raise ValueError(f"unknown production job kind {job.kind!r}")

    def _letters(self, claim: Claim, job: ProductionJob, meeting: Meeting) -> _Work:
        application = self.session.get(Application, job.application_id)
        if application is None:
            raise LookupError(f"no application {job.application_id}")
        shares = self.shares[application.id]
        described = letters.decision_documents(
            self.session,
            self.settings,
            application,
            meeting,
            self.signer(job),
            self.funders,
            shares,
        )
        lines = [
            {
                "funder_name": self.funders[s.funder_id].name,
                "label": {"granted": "accordée", "refused": "refusée"}.get(s.state, s.state),
                "amount": s.granted,
            }
            for s in shares
        ]

        def store(session: Session, pdfs: list[bytes]) -> None:
            holder_letter, per_funder = letters.store_decision_letters(
                session, described, meeting, iter(pdfs)
            )
            current = session.get(Application, application.id)
            assert current is not None
            sent = notify_holder(
                session,
                current,
                "decision",
                attachments=[holder_letter.id or 0],
                meeting=meeting,
                lines=lines,
            )
            for funder, letter in per_funder:
                for email in funder_recipients(session, funder):
                    enqueue(
                        session,
                        "funder_decision",
                        email,
                        {"meeting": meeting, "application": current, "funder": funder},
                        application_id=current.id,
                        attachments=[letter.id or 0],
                    )
            if not sent:
                # No address to write to: the letter, available on the holder's pages, is the
                # notification.
                mark_notified(session, current, letter=holder_letter.id)

        return _Work(claim, job, described.documents(), store)

    def _minutes(self, claim: Claim, job: ProductionJob, meeting: Meeting) -> _Work:
        agenda = _agenda(self.session, meeting)
        shares: dict[int | None, list[Share]] = {a.id: [] for a in agenda}
        for share in self.session.exec(
            select(Share).where(col(Share.application_id).in_(list(shares))).order_by(col(Share.id))
        ):
            shares[share.application_id].append(share)
        document = letters.minutes_document(
            self.session,
            self.settings,
            meeting,
            agenda,
            self.signer(job),
            STATUS_LABELS,
            self.funders,
            shares,
        )

        def store(session: Session, pdfs: list[bytes]) -> None:
            letters.store_minutes(session, meeting, pdfs[0])

        return _Work(claim, job, [document], store)

    def _convocation(self, claim: Claim, job: ProductionJob, meeting: Meeting) -> _Work:
        ids = [int(i) for i in job.data.get("agenda", [])]
        found = {
            a.id: a
            for a in self.session.exec(select(Application).where(col(Application.id).in_(ids)))
        }
        agenda = [found[i] for i in ids if i in found]
        document = letters.convocation_document(
            meeting,
            str(job.data.get("name", "")),
            agenda,
            self.signer(job).name,
            paris_date(job.created_at),
        )
        email = str(job.data.get("email", ""))

        def store(session: Session, pdfs: list[bytes]) -> None:
            letter = letters.store_convocation(session, meeting, pdfs[0])
            enqueue(
                session,
                "convocation",
                email,
                {"meeting": meeting, "count": len(agenda)},
                attachments=[letter.id or 0],
            )

        return _Work(claim, job, [document], store)


def _agenda(session: Session, meeting: Meeting) -> list[Application]:
    return list(
        session.exec(
            select(Application)
            .join(AgendaItem, col(AgendaItem.application_id) == col(Application.id))
            .where(AgendaItem.session_id == meeting.id)
            .order_by(col(AgendaItem.position))
        )
    )


# --- right after a close or a convening: a background thread of this process -----------------


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
