"""`cofinance serve` SIGKILLed (the server process alone, as the OOM killer does) while the
letters of a close are rendered in worker processes (after the close answered, in the
background): within seconds no process it started is left (workers, forkserver, resource
tracker); the kill leaves no file and no half-stored letter, and the restarted server produces
what was left, once: one full set."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from engine.migrations import upgrade
from engine.models import Letter, ProductionJob
from engine.services.letters import PARALLEL_FROM
from engine.settings import Settings
from tests.engine.test_lifeline import DEADLINE, group_members, wait_until_gone
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

APPLICATIONS = 30  # per session: 5 letters each, 151 documents, well above PARALLEL_FROM
CONVOCATIONS = 9  # the chair, four funder members, the four funders' addresses


@pytest.fixture
def backend() -> str:
    return "sqlite"


def render_workers_of(server_pid: int) -> list[int]:
    """The processes the forkserver of the server has forked: its rendering workers."""
    members = group_members(server_pid)
    forkservers = {
        pid for pid, cmd in members.items() if "forkserver" in cmd and _parent(pid) == server_pid
    }
    return [pid for pid in members if _parent(pid) in forkservers]


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_a_killed_server_leaves_no_render_worker_and_its_letters_are_produced_once_after_restart(
    tmp_path: Path,
) -> None:
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: the server renders without worker processes")
    assert APPLICATIONS * 5 + 1 >= PARALLEL_FROM
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'cofinance.sqlite3'}",
        secret_key="soak-test-secret-key-of-enough-length-for-hs256",
    )
    upgrade(settings.effective_database_url)
    with database(settings) as db:
        seed(db, settings, applications=2 * APPLICATIONS)
    # Its scheduler takes over, every second, what a kill left claimed (leases of 2 s).
    server = Server(
        settings,
        env={
            "COFINANCE_SCHEDULER": "true",
            "COFINANCE_SCHEDULER_DISPATCH_SECONDS": "1",
            "COFINANCE_SCHEDULER_LOCK_RETRY_SECONDS": "1",
            "COFINANCE_PRODUCTION_LEASE_SECONDS": "2",
        },
    )
    groups = []  # the process groups of the servers started, emptied on failure
    try:
        server.start()
        assert server.process is not None
        groups.append(server.process.pid)
        headers = tokens(server.url)
        with httpx.Client(base_url=server.url + "/api/v1", timeout=300) as client:
            listing = client.get(
                "/applications",
                params={"state": "eligible", "limit": 2 * APPLICATIONS},
                headers=headers["chair"],
            ).json()
            ids = sorted(a["id"] for a in listing["items"])
            assert len(ids) == 2 * APPLICATIONS
            first = ready_to_close(client, headers, ids[:APPLICATIONS])
            assert client.post(f"/sessions/{first}/close", headers=headers["chair"]).is_success
            with database(settings) as db:
                assert settle(db)
            second = ready_to_close(client, headers, ids[APPLICATIONS:])
            with database(settings) as db:
                assert settle(db)  # its convocations
            # The close answers at once: its letters are rendered afterwards, in the background.
            closed = client.post(f"/sessions/{second}/close", headers=headers["chair"])
            assert closed.is_success and closed.json()["state"] == "closed"
            assert closed.json()["production"]["total"] == APPLICATIONS + 1
        # Kill while the workers render.
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline:
            workers = render_workers_of(server.process.pid)
            if workers:
                break
            time.sleep(0.01)
        assert workers, "the production ended before its workers were seen"
        pid = server.process.pid
        assert len(group_members(pid)) >= 4, group_members(pid)  # server, forkserver, tracker…
        os.kill(pid, signal.SIGKILL)  # the server alone: its group is not signalled
        server.process.wait(timeout=30)
        server.process = None
        elapsed, left = wait_until_gone(pid)
        assert left == {}, f"still alive {elapsed:.1f} s after the kill: {left}"
        assert elapsed < DEADLINE

        with database(settings) as db:
            assert invariants(db, settings) == []
            assert orphans(db, settings) == []
            with db.reading() as session:
                pending = session.exec(
                    select(func.count())
                    .select_from(ProductionJob)
                    .where(ProductionJob.session_id == second, ProductionJob.state == "pending")
                ).one()
        assert pending > 0, "the kill came after the production"

        # The next start produces what was left: one full set, nothing twice.
        server.start()
        groups.append(server.process.pid)
        with database(settings) as db:
            assert settle(db)
            assert invariants(db, settings, settled=True) == []
            with db.reading() as session:
                made = session.exec(
                    select(func.count()).select_from(Letter).where(Letter.session_id == second)
                ).one()
        # Each convocation is sent with the session pack as of its agenda (a letter each).
        assert made == APPLICATIONS * 5 + 1 + 2 * CONVOCATIONS
        # A clean stop leaves nothing either.
        pid = server.process.pid
        server.stop()
        elapsed, left = wait_until_gone(pid)
        assert left == {}, left
    finally:
        server.stop()
        for group in groups:
            for member in group_members(group):
                os.kill(member, signal.SIGKILL)
