"""SIGKILL the server at random moments while sessions are being run and closed, 20+ times:
after every restart the invariants hold (tests/soak/harness.py `invariants`): each row where its
last event put it, each closed session with all its decisions, letters and emails and each open
one with none, no decision applied twice, no row pointing to a missing file, an intact SQLite
file."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
from sqlmodel import select

from engine.db import Database
from engine.migrations import upgrade
from engine.models import Letter
from engine.settings import Settings
from tests.soak.harness import (
    Server,
    Workload,
    counts,
    database,
    invariants,
    orphans,
    seed,
    tokens,
)

KILLS = int(os.environ.get("COFINANCE_SOAK_KILLS", "22"))


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the kill test is about SQLite's file; PostgreSQL has its restart test


def swept(db: Database, settings: Settings) -> bool:
    """No file without its row, but in a folder the database knows nothing of yet (the sweep
    leaves it alone: a kill during the very first close)."""
    with db.reading() as session:
        letters_known = session.exec(select(Letter.id).limit(1)).first() is not None
    return all(p.parent.name == "letters" and not letters_known for p in orphans(db, settings))


def test_killing_the_server_at_random_moments_loses_nothing_and_half_does_nothing(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'cofinance.sqlite3'}",
        secret_key="soak-test-secret-key-of-enough-length-for-hs256",
    )
    upgrade(settings.effective_database_url)
    with database(settings) as db:
        seed(db, settings, applications=60)
    chance = random.Random(20271)
    # One server at a time: no close of another process to spare, the sweep at each start may
    # take every orphan (engine/services/sweep.py).
    server = Server(settings, env={"COFINANCE_ORPHAN_GRACE_SECONDS": "0"})
    totals = {"closed": 0, "decisions": 0}
    try:
        server.start()
        headers = tokens(server.url)
        for kill in range(KILLS):
            if kill:
                server.start()
                # The files the kill left without their rows were swept at start.
                with database(settings) as db:
                    assert swept(db, settings), (kill, orphans(db, settings))
            workload = Workload(server.url, headers, seed=kill)
            workload.start(threads=3)
            time.sleep(chance.uniform(0.3, 2.5))
            server.kill()
            workload.join()
            assert workload.failures == [], workload.failures
            with database(settings) as db:
                problems = invariants(db, settings)
                assert problems == [], (kill, problems)
                totals = counts(db)
        server.start()
        with database(settings) as db:
            assert invariants(db, settings) == []
    finally:
        server.stop()
    # The kills fell while work was being done: sessions closed, decisions recorded.
    assert totals["closed"] >= 3, totals
    assert totals["decisions"] >= 20, totals
