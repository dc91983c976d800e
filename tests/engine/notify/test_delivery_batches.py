"""Delivery in parallel batches (engine/notify/deliver.py): one SMTP connection per batch, several
batches at once, and still every message delivered exactly once, through refusals, dropped
connections and dispatchers in two processes at once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from engine.clock import at
from engine.db import Database
from engine.models import OutboxMessage
from engine.notify.deliver import dispatch_outbox
from engine.notify.outbox import enqueue
from engine.settings import Settings
from tests.engine.notify.world import Recorder, SmtpServer

ROOT = Path(__file__).resolve().parents[3]


def queue(db: Database, count: int, recipient: str = "holder{}@example.org") -> list[str]:
    """`count` messages queued; their Message-IDs."""
    with db.transaction() as session:
        return [
            enqueue(
                session,
                "documents_requested",
                recipient.format(index),
                {
                    "application": {"title": f"Dossier {index}", "reference": f"R-{index}"},
                    "reason": "RIB",
                },
            ).message_id
            for index in range(count)
        ]


def rows(db: Database) -> list[OutboxMessage]:
    with db.reading() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


class Connections(Recorder):
    """Also counts the connections the messages came over (one client port per connection)."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: Counter[Any] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.peers[session.peer] += 1
        return await super().handle_DATA(server, session, envelope)


def serve(recorder: Recorder) -> SmtpServer:
    server = SmtpServer()
    server.recorder = recorder
    return server.start()


def test_parallel_batches_deliver_each_message_once_over_one_connection_per_batch(
    settings: Settings, db: Database
) -> None:
    queued = queue(db, 60)
    server = serve(Connections())
    try:
        settings.smtp_url = server.url
        settings.outbox_batch_size = 7
        settings.outbox_parallel = 3
        assert dispatch_outbox(db, settings) == 60  # one pass drains what is due
        assert sorted(server.recorder.message_ids()) == sorted(queued)
        recorder = server.recorder
        assert isinstance(recorder, Connections)
        # 60 messages in batches of 7: 9 connections, each carrying a whole batch.
        assert sorted(recorder.peers.values()) == [4] + [7] * 8
        assert {(r.state, r.attempts) for r in rows(db)} == {("sent", 1)}
        assert dispatch_outbox(db, settings) == 0
    finally:
        server.stop()


def test_a_pass_delivers_at_most_its_limit_and_the_next_pass_goes_on(
    settings: Settings, db: Database, smtp: SmtpServer
) -> None:
    queue(db, 25)
    settings.smtp_url = smtp.url
    settings.outbox_batch_size = 4
    settings.outbox_parallel = 2
    settings.outbox_pass_max = 10
    assert dispatch_outbox(db, settings) == 10
    assert Counter(r.state for r in rows(db)) == {"sent": 10, "pending": 15}
    assert dispatch_outbox(db, settings, limit=3) == 3
    assert dispatch_outbox(db, settings) == 10
    assert dispatch_outbox(db, settings) == 2
    ids = smtp.recorder.message_ids()
    assert len(ids) == len(set(ids)) == 25


class Refusing(Connections):
    """550 (for good) for bad*@ recipients, 451 (for now) for busy*@ ones while `busy` holds."""

    busy = True

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("bad"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("busy") and self.busy:
            return "451 4.2.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_is_retried_or_failed_without_losing_or_doubling_the_others(
    settings: Settings, db: Database
) -> None:
    recipients = [
        "bad{}@example.org"
        if i % 9 == 4
        else "busy{}@example.org"
        if i == 20
        else "ok{}@example.org"
        for i in range(45)
    ]
    with db.transaction() as session:
        queued = {
            enqueue(
                session,
                "documents_requested",
                address.format(index),
                {"application": {"title": "Dossier", "reference": f"R-{index}"}, "reason": "RIB"},
            ).message_id: address.format(index)
            for index, address in enumerate(recipients)
        }
    recorder = Refusing()
    server = serve(recorder)
    moment = datetime.now(UTC)
    try:
        settings.smtp_url = server.url
        settings.outbox_batch_size = 10
        settings.outbox_parallel = 3
        settings.outbox_backoff_seconds = 30
        with at(moment):
            assert dispatch_outbox(db, settings) == 45 - 5 - 1
        by_recipient = {r.recipient: r for r in rows(db)}
        bad = [r for a, r in by_recipient.items() if a.startswith("bad")]
        assert len(bad) == 5
        assert all(
            r.state == "failed" and r.attempts == 1 and "550" in (r.last_error or "") for r in bad
        )
        busy = by_recipient["busy20@example.org"]
        assert (busy.state, busy.attempts) == ("pending", 1) and "451" in (busy.last_error or "")
        assert busy.next_attempt_at == moment + timedelta(seconds=30)
        # The refusals did not cost a connection: smtplib reset the transaction (RSET) and the
        # batch went on over the same one (5 batches of 10 or fewer).
        assert len(recorder.peers) == 5
        recorder.busy = False
        with at(moment + timedelta(seconds=31)):
            assert dispatch_outbox(db, settings) == 1
        received = Counter(recorder.message_ids())
        expected = {m for m, a in queued.items() if not a.startswith("bad")}
        assert set(received) == expected and set(received.values()) == {1}
    finally:
        server.stop()


class Dropping(Connections):
    """Drops the connection (no answer) at the given MAIL commands, counted from 1."""

    def __init__(self, drops: set[int]) -> None:
        super().__init__()
        self.drops = drops
        self.mails = 0

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.lock:
            self.mails += 1
            drop = self.mails in self.drops
        if drop:
            server.transport.close()
            return "421 4.3.0 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"


def test_a_connection_dropped_mid_batch_loses_nothing(settings: Settings, db: Database) -> None:
    queued = queue(db, 30)
    recorder = Dropping({5, 12, 26})
    server = serve(recorder)
    moment = datetime.now(UTC)
    try:
        settings.smtp_url = server.url
        settings.outbox_batch_size = 30
        settings.outbox_backoff_seconds = 30
        with at(moment):
            assert dispatch_outbox(db, settings) == 27
        pending = [r for r in rows(db) if r.state == "pending"]
        assert len(pending) == 3 and all(r.attempts == 1 for r in pending)
        assert all(r.next_attempt_at == moment + timedelta(seconds=30) for r in pending)
        # The batch went on over a new connection after each drop: 4 connections.
        assert len(recorder.peers) == 4
        with at(moment + timedelta(seconds=31)):
            assert dispatch_outbox(db, settings) == 3
        counts = Counter(recorder.message_ids())
        assert sorted(counts) == sorted(queued) and set(counts.values()) == {1}
        assert {r.state for r in rows(db)} == {"sent"}
    finally:
        server.stop()


class Slow(Recorder):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.01)  # a remote server: the two processes overlap for sure
        return await super().handle_DATA(server, session, envelope)


def test_two_processes_dispatching_at_once_deliver_each_message_exactly_once(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    queued = queue(db, 240)
    server = serve(Slow())
    env = {
        **os.environ,
        "COFINANCE_DATABASE_URL": settings.effective_database_url,
        "COFINANCE_DATA_DIR": str(settings.data_dir),
        "COFINANCE_SMTP_URL": server.url,
        "COFINANCE_OUTBOX_BATCH_SIZE": "8",
        "COFINANCE_OUTBOX_PARALLEL": "3",
    }
    script = Path(__file__).with_name("drain_dispatcher.py")
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), str(tmp_path / f"ready{n}"), str(go)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"ready{n}").exists() for n in range(2)):
            assert time.monotonic() < deadline and all(p.poll() is None for p in processes)
            time.sleep(0.02)
        go.touch()
        outputs = [p.communicate(timeout=120)[0] for p in processes]
        assert [p.returncode for p in processes] == [0, 0]
        delivered = [int(out.strip()) for out in outputs]
        assert sum(delivered) == 240 and all(delivered)  # both took part
        counts = Counter(server.recorder.message_ids())
        assert sorted(counts) == sorted(queued) and set(counts.values()) == {1}
        assert {(r.state, r.attempts) for r in rows(db)} == {("sent", 1)}
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        server.stop()


def test_an_address_with_accents_still_goes_out_as_smtputf8(
    settings: Settings, db: Database
) -> None:
    # Such messages keep EmailMessage (the faster classic build is for ASCII addresses only).
    queued = queue(db, 2, recipient="élise{}@exemple.fr")
    server = SmtpServer(enable_SMTPUTF8=True).start()
    try:
        settings.smtp_url = server.url
        assert dispatch_outbox(db, settings) == 2
        assert sorted(server.recorder.message_ids()) == sorted(queued)
        assert {m["To"] for m in server.messages} == {"élise0@exemple.fr", "élise1@exemple.fr"}
        assert all("pièces" in m.get_body(("plain",)).get_content() for m in server.messages)
    finally:
        server.stop()


def test_a_sender_name_with_accents_and_a_long_subject_arrive_intact(
    settings: Settings, db: Database, smtp: SmtpServer
) -> None:
    title = "Café des parents « l'Abbaye » — un titre assez long pour être replié " * 2
    with db.transaction() as session:
        row = enqueue(
            session,
            "documents_requested",
            "asso@example.org",
            {"application": {"title": title, "reference": "R-1"}, "reason": "RIB"},
        )
    settings.smtp_url = smtp.url
    settings.mail_from = "Comité des financeurs <comite@example.org>"
    assert dispatch_outbox(db, settings) == 1
    (message,) = smtp.messages
    assert message["From"] == settings.mail_from
    assert message["Subject"] == row.subject and "\n" not in str(message["Subject"])
    assert "Café des parents" in message.get_body(("html",)).get_content()
