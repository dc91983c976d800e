"""The outbox is crash-safe: retries with backoff, failed rows shown and retried by hand, never a
message lost, a copy only after a crash and then with the same Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from engine.clock import at
from engine.db import Database
from engine.errors import Conflict, Forbidden
from engine.models import Application, Notification, OutboxMessage
from engine.notify.deliver import dispatch_outbox, retry_message
from engine.notify.outbox import enqueue
from engine.settings import Settings
from tests.engine.notify.world import Recorder, SmtpServer, World

ROOT = Path(__file__).resolve().parents[3]


def states(world: World) -> Counter[str]:
    return Counter(r.state for r in world.outbox())


def test_smtp_down_for_three_attempts_then_up_delivers_every_message_exactly_once(
    world: World, settings: Settings, db: Database
) -> None:
    world.decided()
    queued = world.outbox()
    server = SmtpServer()  # its port is closed until it starts: connection refused
    settings.smtp_url = server.url
    settings.outbox_backoff_seconds = 10
    moment = datetime.now(UTC)
    for attempt in (1, 2, 3):
        with at(moment):
            assert dispatch_outbox(db, settings, limit=100) == 0
            assert dispatch_outbox(db, settings, limit=100) == 0  # backing off: nothing due
        rows = world.outbox()
        assert {(r.state, r.attempts) for r in rows} == {("pending", attempt)}
        assert all("Connection refused" in (r.last_error or "") for r in rows)
        # Exponential backoff: 10 s, 20 s, 40 s after each failure.
        wait = timedelta(seconds=10 * 2 ** (attempt - 1))
        assert {r.next_attempt_at for r in rows} == {moment + wait}
        moment += wait
    server.start()
    try:
        with at(moment):
            assert dispatch_outbox(db, settings, limit=100) == len(queued)
        assert sorted(server.recorder.message_ids()) == sorted(r.message_id for r in queued)
        assert states(world) == {"sent": len(queued)}
        assert all(r.attempts == 4 and r.last_error is None for r in world.outbox())
    finally:
        server.stop()


def test_after_n_failures_a_row_is_failed_shown_to_the_admin_and_a_retry_by_hand_delivers_it(
    world: World, settings: Settings, db: Database
) -> None:
    with db.transaction() as session:
        row = enqueue(
            session,
            "documents_requested",
            "asso@example.org",
            {"application": {"title": "Café", "reference": "R-1"}, "reason": "RIB"},
        )
    server = SmtpServer()
    settings.smtp_url = server.url
    settings.outbox_max_attempts = 3
    settings.outbox_backoff_seconds = 0
    for _ in range(5):
        dispatch_outbox(db, settings)
    (failed,) = world.outbox()
    assert (failed.state, failed.attempts) == ("failed", 3)
    assert "Connection refused" in (failed.last_error or "")
    with db.reading() as session:
        query = select(Notification).where(Notification.kind == "outbox_failed")
        alerts = list(session.exec(query))
    assert [a.user_id for a in alerts] == [world.actor("admin").id]
    assert "Connection refused" in alerts[0].body

    with pytest.raises(Forbidden):
        retry_message(db, world.actor("chair"), failed.id or 0)
    server.start()
    try:
        answer = retry_message(db, world.actor("admin"), failed.id or 0)
        assert answer["state"] == "pending" and answer["last_error"] == failed.last_error
        assert dispatch_outbox(db, settings) == 1
        assert server.recorder.message_ids() == [row.message_id]
        with pytest.raises(Conflict):
            retry_message(db, world.actor("admin"), failed.id or 0)  # sent: nothing to retry
        (retried,) = world.events("outbox", failed.id or 0, "retry")
        assert retried.actor_id == world.actor("admin").id
    finally:
        server.stop()


class Refusing(Recorder):
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("caf1@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_permanent_refusal_fails_that_message_at_once_and_the_others_go_out(
    world: World, settings: Settings, db: Database
) -> None:
    world.decided()
    server = SmtpServer()
    server.recorder = Refusing()
    server.start()
    try:
        settings.smtp_url = server.url
        dispatch_outbox(db, settings, limit=100)
        rows = world.outbox()
        refused = [r for r in rows if r.recipient == "caf1@example.org"]
        assert refused and all(r.state == "failed" and r.attempts == 1 for r in refused)
        assert all("550" in (r.last_error or "") for r in refused)
        assert all(r.state == "sent" for r in rows if r not in refused)
        assert len(server.messages) == len(rows) - len(refused)
    finally:
        server.stop()


def test_dispatchers_running_at_once_never_send_a_message_twice(
    world: World, settings: Settings, db: Database, smtp: SmtpServer
) -> None:
    with db.transaction() as session:
        for index in range(40):
            enqueue(
                session,
                "documents_requested",
                f"holder{index}@example.org",
                {"application": {"title": f"Dossier {index}", "reference": f"R-{index}"},
                 "reason": "RIB"},
            )  # fmt: skip
    settings.smtp_url = smtp.url
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while dispatch_outbox(db, settings, limit=3):
                pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    ids = smtp.recorder.message_ids()
    assert len(ids) == len(set(ids)) == 40
    assert states(world) == {"sent": 40}


def _crash(settings: Settings, point: str) -> None:
    env = {
        **os.environ,
        "COFINANCE_DATABASE_URL": settings.effective_database_url,
        "COFINANCE_DATA_DIR": str(settings.data_dir),
        "COFINANCE_SMTP_URL": settings.smtp_url or "",
        "COFINANCE_OUTBOX_LEASE_SECONDS": str(settings.outbox_lease_seconds),
    }
    script = Path(__file__).with_name("crash_dispatcher.py")
    process = subprocess.Popen([sys.executable, str(script), point], cwd=ROOT, env=env)
    try:
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_dispatcher_killed_after_smtp_accepted_resends_after_restart_with_the_same_message_id(
    world: World, settings: Settings, db: Database, smtp: SmtpServer
) -> None:
    world.decided()
    queued = world.outbox()
    settings.smtp_url = smtp.url
    settings.outbox_lease_seconds = 60
    _crash(settings, "after_send")

    (first,) = smtp.messages  # SMTP accepted one message, then the process died
    rows = world.outbox()
    assert all(r.state == "pending" and r.attempts == 1 for r in rows)  # claimed, none marked
    # While the dead process's lease runs, nobody takes its rows (no copy from a live sender).
    assert dispatch_outbox(db, settings, limit=100) == 0
    with at(datetime.now(UTC) + timedelta(seconds=61)):  # restart after the lease
        assert dispatch_outbox(db, settings, limit=100) == len(queued)
    counts = Counter(smtp.recorder.message_ids())
    assert counts == {r.message_id: 2 if r.message_id == first["Message-ID"] else 1 for r in queued}
    assert states(world) == {"sent": len(queued)}
    assert {r.attempts for r in world.outbox()} == {2}


def test_a_dispatcher_killed_between_its_claim_and_the_send_delivers_everything_once_after_restart(
    world: World, settings: Settings, db: Database, smtp: SmtpServer
) -> None:
    application_id, _ = world.decided()
    queued = world.outbox()
    settings.smtp_url = smtp.url
    settings.outbox_lease_seconds = 60
    _crash(settings, "after_claim")
    assert smtp.messages == []
    with at(datetime.now(UTC) + timedelta(seconds=61)):
        assert dispatch_outbox(db, settings, limit=100) == len(queued)
    ids = smtp.recorder.message_ids()
    assert sorted(ids) == sorted(r.message_id for r in queued)
    with db.reading() as session:
        application = session.get(Application, application_id)
        assert application is not None and application.state == "notified"


def test_each_email_to_a_user_is_also_an_in_app_notification_written_in_the_same_transaction(
    world: World, db: Database
) -> None:
    application_id, session_id = world.decided()
    with db.reading() as session:
        rows = list(session.exec(select(Notification).order_by(col(Notification.id))))
        outbox = {r.id: r for r in session.exec(select(OutboxMessage))}
    by_user = Counter((n.user_id, n.kind) for n in rows)
    asso, caf1, chair = (world.actor(u).id for u in ("asso", "caf1", "chair"))
    assert by_user[(asso, "submission_receipt")] == 1
    assert by_user[(asso, "decision")] == 1
    assert by_user[(caf1, "funder_decision")] == 1
    assert by_user[(chair, "convocation")] == 1
    for note in rows:
        message = outbox[note.outbox_id]
        assert note.title == message.subject and message.recipient.startswith(
            next(u for u, a in world.actors.items() if a.id == note.user_id)
        )
    # Addresses that are no user's (a funder's shared mailbox) get the email only.
    assert {m.recipient for m in outbox.values()} - {f"{u}@example.org" for u in world.actors}

    before = len(rows)
    with pytest.raises(RuntimeError), db.transaction() as session:
        enqueue(session, "documents_requested", "asso@example.org",
                {"application": {"title": "x", "reference": "y"}, "reason": "z"})  # fmt: skip
        raise RuntimeError("the use case failed after queueing")
    with db.reading() as session:
        assert len(list(session.exec(select(Notification)))) == before
    assert application_id and session_id
