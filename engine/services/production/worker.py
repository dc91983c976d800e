"""The worker: claim due jobs, render their documents outside any transaction, store each job.

1. **claim** (one short transaction: `FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE`
   on SQLite): due pending jobs get `attempts + 1` and a lease (`lease_until`); the attempt
   number is the claim's token. Several processes never render the same job at once.
2. **render**, outside any transaction (in worker processes when there are many documents);
3. **store**, one transaction per group of jobs (`COFINANCE_PRODUCTION_STORE_JOBS`): mark each
   job done only if it is still pending with our token (a conditional UPDATE, its row count
   checked), then what the job's description stores (engine/services/production/describe.py).

A job produced twice therefore stores once: the second store finds the job done, or its token
stale, and skips it. A worker killed anywhere leaves its jobs pending; another process takes
them over once their lease has passed (`COFINANCE_PRODUCTION_LEASE_SECONDS`). A job that fails
is retried with a growing delay, its error kept in `last_error`.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import or_, tuple_, update
from sqlmodel import col, select

from engine.clock import now
from engine.db import Database
from engine.models import ProductionJob
from engine.notify.outbox import Outbox
from engine.services import letters
from engine.services.production.describe import Claim, Context, Work, preload
from engine.settings import Settings

log = logging.getLogger("cofinance.production")


def run_production(
    db: Database, settings: Settings, limit: int | None = None, stop: threading.Event | None = None
) -> int:
    """Produce every due job, claimed in batches; returns how many this call produced."""
    produced = 0
    with letters.Renderer() as renderer:  # its worker processes serve every batch of this call
        while stop is None or not stop.is_set():
            claims = _claim(db, settings, limit or settings.production_batch_size)
            if not claims:
                break
            produced += _produce(db, settings, claims, renderer, stop)
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
    db: Database,
    settings: Settings,
    claims: list[Claim],
    renderer: letters.Renderer,
    stop: threading.Event | None,
) -> int:
    works: list[Work] = []
    failures: list[tuple[Claim, Exception]] = []
    with db.reading() as session:
        context = Context(session, settings, claims)
        for claim in claims:
            try:
                works.append(context.describe(claim))
            except Exception as error:  # a bug, or a row gone: this job waits for its retry
                log.exception("production job %s: cannot be described", claim.job_id)
                failures.append((claim, error))
    for claim, problem in failures:
        _failed(db, settings, claim, problem)
    pdfs = renderer.render([d for work in works for d in work.documents])
    produced = 0
    group: list[tuple[Work, list[bytes]]] = []
    try:
        for index, work in enumerate(works):
            if stop is not None and stop.is_set():
                # The process is stopping: what is not stored yet goes back at once.
                for rest in [w for w, _ in group] + works[index:]:
                    _release(db, rest.claim)
                group = []
                break
            try:
                rendered = [next(pdfs) for _ in work.documents]
            except Exception as error:  # the renderer failed: this job and the rest wait
                log.exception("production job %s: rendering failed", work.claim.job_id)
                for rest in works[index:]:
                    _failed(db, settings, rest.claim, error)
                break
            group.append((work, rendered))
            if len(group) >= settings.production_store_jobs:
                produced += _store_group(db, settings, group)
                group = []
        produced += _store_group(db, settings, group)
    finally:
        pdfs.close()  # also when stopped half-way: what is not rendered yet is dropped
    return produced


def _store_group(db: Database, settings: Settings, group: list[tuple[Work, list[bytes]]]) -> int:
    """Store several rendered jobs in one transaction (a commit per job was a third of a large
    close on PostgreSQL); if it fails, each job alone, so that one bad job fails by itself."""
    if not group:
        return 0
    if len(group) > 1:
        try:
            return _store(db, group)
        except Exception:
            log.warning("production: a group of %s jobs failed; storing each alone", len(group))
    produced = 0
    for work, pdfs in group:
        try:
            produced += _store(db, [(work, pdfs)])
        except Exception as error:
            log.exception("production job %s: storing failed", work.claim.job_id)
            _failed(db, settings, work.claim, error)
    return produced


def _store(db: Database, group: list[tuple[Work, list[bytes]]]) -> int:
    """Mark each job done and store what it produced, all in one transaction; a job that is no
    longer ours (done by another worker, or taken over after our lease) is skipped. Returns how
    many were stored."""
    stored = 0
    with db.transaction() as session:
        jobs = ProductionJob.__table__  # type: ignore[attr-defined]
        taken = set(
            session.scalars(
                update(jobs)
                .where(
                    tuple_(jobs.c.id, jobs.c.attempts).in_(
                        [(work.claim.job_id, work.claim.token) for work, _ in group]
                    ),
                    jobs.c.state == "pending",
                )
                .values(state="done", done_at=now(), lease_until=None, last_error=None)
                .returning(jobs.c.id)
            )
        )
        outbox = Outbox(session)
        # Held until the commit: the jobs' `store` read these from the session.
        _held = preload(session, (work for work, _ in group if work.claim.job_id in taken))
        for work, pdfs in group:
            if work.claim.job_id not in taken:
                log.info("production job %s: done by another worker meanwhile", work.claim.job_id)
                continue
            work.store(session, pdfs, outbox)
            stored += 1
        outbox.write()
    return stored


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
