"""Closing in stages: one short transaction locks the decisions and records production jobs;
workers then produce exactly one set of letters, minutes and emails, however often and however
concurrently they run, and resume after a worker dies; the holder is notified through the
domain step only; the close (and the convening) answers without waiting for SMTP."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from engine import clock
from engine.db import Database
from engine.models import (
    Application,
    Event,
    Letter,
    Organisation,
    OutboxMessage,
    ProductionJob,
    Share,
    User,
)
from engine.notify.deliver import dispatch_outbox
from engine.services import notification, production
from engine.services import sessions as meetings
from engine.services.production import run_production, worker
from engine.settings import Settings
from tests.security.conftest import actors

FUNDERS = ("caf", "departement", "etat", "msa")  # what the Reaap body asks


def ready(api: Any, files: int) -> tuple[int, list[int]]:
    """An open session with `files` eligible files, every share granted."""
    call = api.call()
    ids = [api.eligible(call["id"], title=f"Dossier {n}")["id"] for n in range(files)]
    meeting = api.open_session(call["id"], ids)["id"]
    for application_id in ids:
        for funder in FUNDERS:
            api.ok(api.decide(meeting, application_id, funder, "granted", "100.00"), 201)
    return meeting, ids


def close(api: Any, meeting: int) -> None:
    """The close's own transaction only: nothing produced yet (the worker runs in the test)."""
    meetings.close_session(api.db, actors(api.db)["chair"], meeting, api.settings, produce=False)


def produced(db: Database, meeting: int) -> dict[str, Any]:
    """What the close of `meeting` produced so far (its convocations aside), and whether
    anything came twice."""
    with db.reading() as session:
        letters = [
            x
            for x in session.exec(select(Letter).where(Letter.session_id == meeting))
            if x.kind not in ("convocation", "pack")
        ]
        ids = {x.id for x in letters}
        emails = [
            m for m in session.exec(select(OutboxMessage)) if any(a in ids for a in m.attachments)
        ]
        jobs = [
            j
            for j in session.exec(select(ProductionJob).where(ProductionJob.session_id == meeting))
            if j.kind != "convocation"
        ]
    letter_keys = Counter((x.kind, x.application_id, x.funder_id) for x in letters)
    email_keys = Counter((m.kind, m.recipient, tuple(m.attachments)) for m in emails)
    return {
        "letters": Counter(x.kind for x in letters),
        "emails": Counter(m.kind for m in emails),
        "duplicate letters": [k for k, n in letter_keys.items() if n > 1],
        "duplicate emails": [k for k, n in email_keys.items() if n > 1],
        "jobs": Counter(j.state for j in jobs),
    }


def one_full_set(db: Database, meeting: int, files: int) -> None:
    found = produced(db, meeting)
    assert found["duplicate letters"] == [] and found["duplicate emails"] == []
    assert found["letters"] == {"decision": files, "funder": files * len(FUNDERS), "minutes": 1}
    assert found["emails"]["decision"] == files  # the holder's one address: asso@example.org
    assert found["emails"]["funder_decision"] >= files * len(FUNDERS)
    assert found["jobs"] == {"done": files + 1}


def test_the_close_locks_the_decisions_at_once_and_production_makes_exactly_one_set(
    api: Any,
) -> None:
    meeting, ids = ready(api, 3)
    close(api, meeting)
    # Locked: the session is closed, the files decided, the shares final, in the close's own
    # transaction; nothing is rendered yet, but all of it is recorded as jobs.
    view = api.ok(api.get("chair", f"/sessions/{meeting}"))
    assert view["state"] == "closed"
    assert view["production"] == {
        "done": 0,
        "total": 4,
        "letters": {"done": 0, "total": 3},
        "minutes_ready": False,
    }
    assert {api.application(i)["state"] for i in ids} == {"decided"}
    api.refused(
        409,
        "caf1",
        "POST",
        f"/sessions/{meeting}/decisions",
        json={"application_id": ids[0], "funder": "caf", "outcome": "refused", "amount": None},
    )
    assert produced(api.db, meeting)["letters"] == {}
    waiting = api.get("chair", f"/sessions/{meeting}/minutes")
    assert waiting.status_code == 409 and waiting.json()["code"] == "production_pending"
    page = api.client.get(
        f"/seances/{meeting}",
        headers={"Cookie": "cofinance_session=" + api.headers["chair"]["Authorization"][7:]},
    )
    assert "Lettres : 0 / 3" in page.text and "/proces-verbal" not in page.text

    assert run_production(api.db, api.settings) == 4
    one_full_set(api.db, meeting, 3)
    view = api.ok(api.get("chair", f"/sessions/{meeting}"))
    assert view["production"]["done"] == view["production"]["total"] == 4
    assert view["production"]["minutes_ready"] is True
    assert api.get("chair", f"/sessions/{meeting}/minutes").content.startswith(b"%PDF-")
    page = api.client.get(
        f"/seances/{meeting}",
        headers={"Cookie": "cofinance_session=" + api.headers["chair"]["Authorization"][7:]},
    )
    assert "Lettres : 3 / 3" in page.text and "/proces-verbal" in page.text
    # Once more: nothing is due, nothing changes.
    assert run_production(api.db, api.settings) == 0
    one_full_set(api.db, meeting, 3)


def test_workers_running_twice_or_at_once_never_duplicate_a_letter_or_an_email(
    api: Any, settings: Settings
) -> None:
    meeting, _ = ready(api, 4)
    close(api, meeting)
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        db = Database(settings.effective_database_url)
        try:
            counts.append(run_production(db, settings, limit=1))  # one job per claim
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(counts) == 5  # 4 files and the minutes, each produced by one of them
    worker()
    worker()
    assert counts[2:] == [0, 0]
    one_full_set(api.db, meeting, 4)


def after_render(monkeypatch: pytest.MonkeyPatch, hook: Callable[[ProductionJob], None]) -> None:
    """Run `hook` at the moment a job's PDFs are rendered and nothing of it is stored yet: the
    worker's store step (a transaction for a group of jobs), wrapped from the test side."""
    store = worker._store

    def hooked(db: Database, group: list[tuple[Any, list[bytes]]]) -> int:
        for work, _ in group:
            hook(work.job)
        return store(db, group)

    monkeypatch.setattr(worker, "_store", hooked)


def test_a_job_taken_over_after_its_lease_stores_once(
    api: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow worker (its lease passed while it rendered) and the one that took the job over
    both finish: the conditional update lets only one of them store."""
    meeting, _ = ready(api, 1)
    close(api, meeting)
    taken_over: list[int] = []
    slow: list[int] = []

    def lease_passes_and_another_worker_takes_over(job: ProductionJob) -> None:
        if slow:
            return  # the other worker (it runs the same hook)
        slow.append(job.id or 0)
        with api.db.transaction() as session:
            session.execute(
                update(ProductionJob)
                .where(col(ProductionJob.id) == job.id)
                .values(lease_until=clock.now() - timedelta(seconds=1))
            )
        other = Database(settings.effective_database_url)
        try:
            taken_over.append(run_production(other, settings, limit=1))
        finally:
            other.dispose()

    after_render(monkeypatch, lease_passes_and_another_worker_takes_over)
    first = run_production(api.db, settings, limit=1)
    # The other worker produced the first job and, in the same run, the second; the slow one
    # found the first done when it came to store it, and the second no longer due.
    assert taken_over == [2] and first == 0
    one_full_set(api.db, meeting, 1)


class Killed(BaseException):
    """The worker's process dies here (not an error it could catch)."""


@pytest.mark.parametrize(("group", "stored_before"), [(1, 1), (20, 0)])
def test_a_worker_killed_mid_job_resumes_to_exactly_one_set(
    api: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch, group: int, stored_before: int
) -> None:
    """Killed while storing the second job: with a transaction per job the first is stored; with
    the jobs grouped, the group's transaction never commits and all of them stay pending."""
    settings.production_store_jobs = group
    meeting, _ = ready(api, 3)
    close(api, meeting)
    rendered: list[int] = []

    def die_after_the_second_render(job: ProductionJob) -> None:
        rendered.append(job.id or 0)
        if len(rendered) == 2:
            raise Killed

    after_render(monkeypatch, die_after_the_second_render)
    with pytest.raises(Killed):
        run_production(api.db, settings)
    pending = 4 - stored_before
    expected = {"done": stored_before, "pending": pending} if stored_before else {"pending": 4}
    assert produced(api.db, meeting)["jobs"] == expected
    # Its claims hold until their lease passes: nobody renders them meanwhile…
    assert run_production(api.db, settings) == 0
    # …then any worker (the scheduler's, the next start's) takes them over.
    later = clock.now() + timedelta(seconds=settings.production_lease_seconds + 1)
    with clock.at(later):
        assert run_production(api.db, settings) == pending
    one_full_set(api.db, meeting, 3)
    with api.db.reading() as session:
        attempts = sorted(
            j.attempts
            for j in session.exec(select(ProductionJob).where(ProductionJob.kind != "convocation"))
        )
    # The job stored before the kill (if any), and the ones taken over.
    assert attempts == [1] * stored_before + [2] * pending


def test_a_job_that_cannot_be_stored_fails_alone_and_the_rest_of_its_group_is_stored(
    api: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The jobs of a group share a transaction: when one of them fails to store, the group is
    stored again job by job, so the failing one waits for its retry and the others land."""
    meeting, ids = ready(api, 3)
    close(api, meeting)
    store = production.describe.letters.store_decision_letters

    def refuse_the_second_file(session: Any, documents: Any, *args: Any) -> Any:
        if documents.application.id == ids[1]:
            raise RuntimeError("disk full")
        return store(session, documents, *args)

    monkeypatch.setattr(
        production.describe.letters, "store_decision_letters", refuse_the_second_file
    )
    assert run_production(api.db, settings) == 3  # two files and the minutes
    found = produced(api.db, meeting)
    assert found["jobs"] == {"done": 3, "pending": 1}
    assert found["letters"]["decision"] == 2 and found["duplicate emails"] == []
    with api.db.reading() as session:
        failed = session.exec(
            select(ProductionJob).where(ProductionJob.application_id == ids[1])
        ).one()
    assert failed.last_error == "RuntimeError: disk full" and failed.lease_until is not None

    monkeypatch.undo()
    later = clock.now() + timedelta(hours=2)
    with clock.at(later):
        assert run_production(api.db, settings) == 1
    one_full_set(api.db, meeting, 3)


def test_the_holder_is_notified_through_the_domain_step_only(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, (application_id,) = ready(api, 1)
    close(api, meeting)
    run_production(api.db, api.settings)
    # Letters out, decision email queued: decided, not yet notified.
    assert api.application(application_id)["state"] == "decided"

    # The delivery bookkeeping reports the delivery to the domain step; without that step,
    # delivering moves nothing.
    steps: list[int] = []
    monkeypatch.setattr(
        notification, "mark_notified", lambda session, app, **how: steps.append(app.id)
    )
    assert dispatch_outbox(api.db, api.settings) > 0
    assert steps == [application_id]
    assert api.application(application_id)["state"] == "decided"
    monkeypatch.undo()

    # With it: the next delivered decision email notifies, once, naming that email.
    with api.db.transaction() as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.kind) == "decision")
            .values(state="pending", next_attempt_at=clock.now())
        )
    dispatch_outbox(api.db, api.settings)
    assert api.application(application_id)["state"] == "notified"
    with api.db.reading() as session:
        notified = session.exec(
            select(Event).where(Event.action == "notify", Event.application_id == application_id)
        ).all()
    assert len(notified) == 1 and "message_id" in notified[0].data


def test_a_holder_without_email_is_notified_when_the_letter_is_made_available(
    api: Any,
) -> None:
    meeting, (application_id,) = ready(api, 1)
    with api.db.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        for user in session.exec(
            select(User).where(User.organisation_id == application.organisation_id)
        ):
            user.email = None
        organisation = session.get(Organisation, application.organisation_id)
        assert organisation is not None
        organisation.email = None
    close(api, meeting)
    run_production(api.db, api.settings)
    assert api.application(application_id)["state"] == "notified"
    with api.db.reading() as session:
        (event,) = session.exec(
            select(Event).where(Event.action == "notify", Event.application_id == application_id)
        ).all()
        letter = session.exec(
            select(Letter).where(Letter.application_id == application_id, Letter.kind == "decision")
        ).one()
        holder_mail = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "decision", OutboxMessage.application_id == application_id)
        ).one()
    assert event.data == {"letter": letter.id} and holder_mail == 0


@pytest.fixture
def silent_smtp() -> Iterator[str]:
    """An SMTP address that accepts connections and never says a word (a hung relay)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"smtp://127.0.0.1:{server.getsockname()[1]}?timeout=3"
    finally:
        server.close()


def test_close_and_convene_answer_without_waiting_for_smtp(
    api: Any, settings: Settings, silent_smtp: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The background thread of a real deployment: the answer comes first, then the letters
    are produced, then the emails try the (hung) relay and wait for their retry."""
    call = api.call()
    ids = [api.eligible(call["id"], title=f"Dossier {n}")["id"] for n in range(2)]
    meeting = api.session(call["id"])["id"]
    api.agenda(meeting, ids)
    monkeypatch.setattr(production, "IN_BACKGROUND", True)
    settings.smtp_url = silent_smtp
    started = time.monotonic()
    convened = api.ok(api.post("chair", f"/sessions/{meeting}/convene"))
    assert time.monotonic() - started < 2.5 and convened["state"] == "convened"
    assert production.wait_idle(60)
    api.move(meeting, "open")
    for application_id in ids:
        for funder in FUNDERS:
            api.ok(api.decide(meeting, application_id, funder, "granted", "100.00"), 201)

    started = time.monotonic()
    closed = api.ok(api.post("chair", f"/sessions/{meeting}/close"))
    elapsed = time.monotonic() - started
    assert closed["state"] == "closed" and closed["production"]["total"] == 3
    assert elapsed < 2.5, elapsed  # an SMTP attempt alone takes 3 s here
    assert production.wait_idle(60)
    one_full_set(api.db, meeting, 2)
    with api.db.reading() as session:
        rows = list(session.exec(select(OutboxMessage)))
        shares = session.exec(select(Share).where(col(Share.application_id).in_(ids))).all()
    assert {s.state for s in shares} == {"granted"}
    # Nothing was delivered: every email waits for its retry, with the relay's silence noted.
    assert {r.state for r in rows} == {"pending"}
    assert all(r.sent_at is None for r in rows)
    assert any(r.last_error for r in rows)
    assert {api.application(i)["state"] for i in ids} == {"decided"}
