"""SIGKILL the server at random moments while sessions are being run and closed, 20+ times:
after every kill the invariants hold (tests/soak/harness.py `invariants`): each row where its
last event put it; each closed session with its decisions locked and its production recorded
(each job done with exactly its letters and emails, each pending one with none), each open one
with nothing of a close; no decision applied twice; every document and letter with its content
(in the database) and no content without its row; an intact SQLite file. After every restart
the server finishes what the kill interrupted: each closed session then has exactly one full
set of letters, minutes and emails."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from engine.migrations import upgrade
from engine.settings import Settings
from tests.soak.harness import (
    Server,
    Workload,
    counts,
    database,
    invariants,
    orphans,
    seed,
    settle,
    tokens,
)

KILLS = int(os.environ.get("COFINANCE_SOAK_KILLS", "22"))


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the kill test is about SQLite's file; PostgreSQL has its restart test


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
    # One server at a time: the sweep at each start may take every upload temporary. Its
    # scheduler takes over, every second, the production jobs a kill left claimed (their lease
    # passes after 2 s).
    server = Server(
        settings,
        env={
            "COFINANCE_ORPHAN_GRACE_SECONDS": "0",
            "COFINANCE_SCHEDULER": "true",
            "COFINANCE_SCHEDULER_DISPATCH_SECONDS": "1",
            "COFINANCE_SCHEDULER_LOCK_RETRY_SECONDS": "1",
            "COFINANCE_PRODUCTION_LEASE_SECONDS": "2",
        },
    )
    totals = {"closed": 0, "decisions": 0, "produced": 0}
    try:
        server.start()
        headers = tokens(server.url)
        for kill in range(KILLS):
            if kill:
                server.start()
                with database(settings) as db:
                    # Nothing on disk to sweep: letters are rows, written with their close…
                    assert orphans(db, settings) == [], kill
                    # …and what the kill interrupted is produced again, once.
                    assert settle(db), kill
                    problems = invariants(db, settings, settled=True)
                    assert problems == [], (kill, problems)
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
            assert settle(db)
            assert invariants(db, settings, settled=True) == []
            totals = counts(db)
    finally:
        server.stop()
    # The kills fell while work was being done: sessions closed, decisions recorded.
    assert totals["closed"] >= 3, totals
    assert totals["decisions"] >= 20, totals
    assert totals["produced"] > totals["closed"], totals
