"""A SIGKILL at any moment of a 500-file close resumes to exactly one set of letters.

A session of 500 files, every share decided, is closed through the API of a `cofinance serve`
process; the process (and its rendering workers) is SIGKILLed at random moments: the first
right after the close is sent (it may fall inside the close's own transaction), the next ones
at random points of the production (a random number of jobs done, then a random instant). After
every kill the invariants hold (nothing half-stored, no letter without its job); the next start
takes the production up again. In the end: one holder letter per file, one funder letter per
decided share, one set of minutes, each email queued once and delivered under one Message-ID.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from contextlib import suppress
from email import message_from_bytes
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from engine.migrations import upgrade
from engine.models import AgendaItem, Application, Letter, Meeting, OutboxMessage, ProductionJob
from engine.models import Share as ShareRow
from engine.settings import Settings
from tests.soak.harness import (
    Server,
    database,
    invariants,
    orphans,
    ready_to_close,
    seed,
    settle,
    tokens,
)

FILES = int(os.environ.get("COFINANCE_SOAK_CLOSE_FILES", "500"))
KILLS = int(os.environ.get("COFINANCE_SOAK_CLOSE_KILLS", "4"))


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _done(settings: Settings, session_id: int) -> tuple[int, int]:
    with database(settings) as db, db.reading() as session:
        rows = session.exec(
            select(ProductionJob.state, func.count())
            .where(ProductionJob.session_id == session_id, ProductionJob.kind != "convocation")
            .group_by(col(ProductionJob.state))
        ).all()
    counts = dict(rows)
    return counts.get("done", 0), sum(counts.values())


def _closed(settings: Settings, session_id: int) -> bool:
    with database(settings) as db, db.reading() as session:
        meeting = session.get(Meeting, session_id)
        return meeting is not None and meeting.state == "closed"


def _close(url: str, headers: dict[str, str], session_id: int) -> threading.Thread:
    """Send the close without waiting for it (the kill may fall before its answer)."""

    def send() -> None:
        with suppress(httpx.HTTPError):  # killed while it was being answered
            httpx.post(f"{url}/api/v1/sessions/{session_id}/close", headers=headers, timeout=300)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def _check(settings: Settings, kill: int) -> None:
    """What every kill must leave: the invariants, and nothing on disk to sweep."""
    with database(settings) as db:
        problems = invariants(db, settings)
        assert problems == [], (kill, problems)
        assert orphans(db, settings) == [], kill


def _outbox_settled(settings: Settings, timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database(settings) as db, db.reading() as session:
            pending = session.exec(
                select(OutboxMessage.id).where(OutboxMessage.state == "pending").limit(1)
            ).first()
        if pending is None:
            return True
        time.sleep(0.5)
    return False


def test_a_sigkill_at_any_moment_of_a_500_file_close_resumes_to_exactly_one_set_of_letters(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'cofinance.sqlite3'}",
        secret_key="soak-test-secret-key-of-enough-length-for-hs256",
    )
    upgrade(settings.effective_database_url)
    with database(settings) as db:
        seed(db, settings, applications=FILES)
        with db.reading() as session:
            ids = sorted(
                i or 0
                for i in session.exec(select(Application.id).where(Application.state == "eligible"))
            )
    assert len(ids) == FILES
    chance = random.Random(500)
    # Its scheduler takes over, every second, what a kill left claimed once its lease passed.
    server = Server(
        settings,
        env={
            "COFINANCE_SCHEDULER": "true",
            "COFINANCE_SCHEDULER_DISPATCH_SECONDS": "1",
            "COFINANCE_SCHEDULER_LOCK_RETRY_SECONDS": "1",
            # Longer than rendering the 500-line minutes takes on a busy machine, so that a
            # live worker's job is never taken over; short enough for the test.
            "COFINANCE_PRODUCTION_LEASE_SECONDS": "20",
            "COFINANCE_OUTBOX_LEASE_SECONDS": "5",
        },
    )
    mid_production = 0
    try:
        server.start()
        headers = tokens(server.url)
        with httpx.Client(base_url=server.url + "/api/v1", timeout=300) as client:
            session_id = ready_to_close(client, headers, ids)
        with database(settings) as db:
            assert settle(db, timeout=600)  # the convocations
        # Kill points: the first right after the close is sent, then after a random number of
        # the 501 jobs (500 letters and the minutes) are done, each plus a random instant.
        # (Not too near the end: the rest of the production can take less time than the
        # sleep before the kill, and a kill after it proves nothing.)
        thresholds = sorted(chance.sample(range(1, FILES * 3 // 4), KILLS - 1))
        kills: list[tuple[int, int, int]] = []  # (threshold, jobs done, jobs) at each kill
        for kill in range(KILLS):
            if kill:
                server.start()
            if not _closed(settings, session_id):
                closing = _close(server.url, headers["chair"], session_id)
                if kill == 0:  # the first kill: any moment of the close and what follows it
                    time.sleep(chance.uniform(0.0, 1.5))
                    server.kill()
                    closing.join(30)
                    _check(settings, kill)
                    continue
                closing.join(300)  # the kill fell inside the close: it is sent again
                assert _closed(settings, session_id), kill
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                if _done(settings, session_id)[0] >= thresholds[kill - 1]:
                    break
                time.sleep(0.05)
            time.sleep(chance.uniform(0.0, 0.5))
            server.kill()
            done, total = _done(settings, session_id)
            kills.append((thresholds[kill - 1], done, total))
            mid_production += bool(total) and done < total
            _check(settings, kill)
        server.start()
        if not _closed(settings, session_id):
            _close(server.url, headers["chair"], session_id).join(300)
        with database(settings) as db:
            assert settle(db, timeout=900)
            assert invariants(db, settings, settled=True) == []
        assert _outbox_settled(settings)
    finally:
        server.stop()
    assert mid_production >= KILLS - 1, f"the kills did not fall during the production: {kills}"

    with database(settings) as db, db.reading() as session:
        items = select(AgendaItem.application_id).where(AgendaItem.session_id == session_id)
        agenda = set(session.exec(items))
        decided = {
            (s.application_id, s.funder_id)
            for s in session.exec(
                select(ShareRow).where(
                    col(ShareRow.application_id).in_(agenda),
                    col(ShareRow.state).in_(("granted", "refused")),
                )
            )
        }
        letters = list(session.exec(select(Letter).where(Letter.session_id == session_id)))
        outbox = list(session.exec(select(OutboxMessage)))
    kinds = Counter(x.kind for x in letters)
    holders = Counter(x.application_id for x in letters if x.kind == "decision")
    funders = Counter((x.application_id, x.funder_id) for x in letters if x.kind == "funder")
    assert len(agenda) == FILES
    assert holders == Counter(agenda)  # one holder letter per file
    assert funders == Counter(decided)  # one letter per decided share
    assert kinds["minutes"] == 1
    # Each email queued once…
    mails = Counter(
        (m.kind, m.recipient, m.application_id)
        for m in outbox
        if m.kind in ("decision", "funder_decision")
    )
    assert mails and max(mails.values()) == 1, mails.most_common(3)
    assert len({m.message_id for m in outbox}) == len(outbox)
    assert {m.state for m in outbox} == {"sent"}
    # …and delivered under its one Message-ID (a resend after a kill rewrites the same file).
    delivered = Counter(
        message_from_bytes(path.read_bytes())["Message-ID"]
        for path in (settings.data_dir / "outbox").glob("*.eml")
    )
    assert delivered == Counter({m.message_id: 1 for m in outbox})
