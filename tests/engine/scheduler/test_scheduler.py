"""One scheduler however many processes: deadlines missed while stopped are honoured at the next
start, once; the leader's death hands the jobs to another process within seconds."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from engine.access import SYSTEM
from engine.db import Database
from engine.errors import Conflict
from engine.models import Call
from engine.scheduler import JOB_DEFAULTS, SchedulerService, build_scheduler
from engine.services import applications, calls
from engine.settings import Settings
from tests.conftest import PG_URL
from tests.engine.notify.world import World, free_port, wait_for

ROOT = Path(__file__).resolve().parents[3]
FAST = {
    "scheduler_sweep_seconds": 0.3,
    "scheduler_dispatch_seconds": 0.3,
    "scheduler_lock_retry_seconds": 0.2,
}


def fast(settings: Settings) -> Settings:
    for name, value in FAST.items():
        setattr(settings, name, value)
    return settings


def call_state(db: Database, call_id: int) -> str:
    with db.reading() as session:
        call = session.get(Call, call_id)
        assert call is not None
        return call.state


def past_deadline_call(world: World) -> tuple[int, int]:
    """An open call whose deadline passed a minute ago (nobody was there to close it)."""
    moment = datetime.now(UTC)
    call_id = world.call(moment - timedelta(minutes=1), opens_at=moment - timedelta(days=30))
    return call_id, world.draft(call_id)


@pytest.fixture
def services() -> Iterator[list[SchedulerService]]:
    started: list[SchedulerService] = []
    try:
        yield started
    finally:
        for service in started:
            service.stop(timeout=10)


def test_the_job_defaults_never_drop_a_missed_run_and_never_double_one() -> None:
    assert JOB_DEFAULTS == {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


def test_a_deadline_passed_while_stopped_closes_the_call_at_the_next_start_once_with_two_schedulers(
    world: World, settings: Settings, db: Database, services: list[SchedulerService]
) -> None:
    call_id, draft = past_deadline_call(world)
    holder = world.actor("asso")
    with pytest.raises(Conflict) as refused:
        world.submit(draft)  # G8 refuses it even before the scheduler closes the call
    assert refused.value.code == "deadline_passed"
    assert "date limite de dépôt est passée" in refused.value.detail
    assert call_state(db, call_id) == "open"

    fast(settings)
    services += [SchedulerService(settings), SchedulerService(settings)]
    for service in services:
        service.start()
    wait_for(lambda: call_state(db, call_id) == "closed", timeout=10)
    time.sleep(1.0)  # several more sweeps by whoever leads
    assert sum(s.is_leader for s in services) == 1
    assert len(world.events("call", call_id, "close")) == 1
    with pytest.raises(Conflict):
        applications.submit_application(db, holder, draft, settings)


def test_sweeps_racing_without_any_lock_still_close_a_call_once(world: World, db: Database) -> None:
    call_id, _ = past_deadline_call(world)
    barrier = threading.Barrier(6)
    closed: list[list[int]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait()
            closed.append(calls.close_due_calls(db, SYSTEM))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(closed) == [[]] * 5 + [[call_id]]
    assert len(world.events("call", call_id, "close")) == 1


def test_jobs_are_kept_in_the_database_job_store(settings: Settings, db: Database) -> None:
    scheduler = build_scheduler(fast(settings))
    from engine.scheduler import add_jobs

    scheduler.start(paused=True)
    try:
        add_jobs(scheduler, settings)
        ids = {job.id for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert {"close-calls", "remind-drafts", "convocations", "dispatch-outbox"} <= ids
    with db.reading() as session:
        from sqlalchemy import text

        stored = set(session.exec(text("SELECT id FROM apscheduler_jobs")).scalars())  # type: ignore[call-overload]
    assert stored == ids


def test_started_at_any_moment_the_scheduler_sends_what_is_due_then_and_closes_the_call_on_time(
    world: World, settings: Settings, db: Database, services: list[SchedulerService]
) -> None:
    deadline = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    call_id = world.call(deadline, opens_at=deadline - timedelta(days=40))
    world.draft(call_id)
    fast(settings)

    def run_until(condition: Callable[[], bool]) -> None:
        service = SchedulerService(settings)
        services.append(service)
        service.start()
        assert service.wait_until_leader(10)
        wait_for(condition)
        time.sleep(3 * settings.scheduler_sweep_seconds)  # more sweeps: nothing more is sent
        service.stop()

    # The whole clock moves (time-machine), the scheduler's threads included; a server (re)started
    # at each moment sweeps at once.
    with time_machine.travel(deadline - timedelta(days=7, minutes=-1), tick=True) as traveller:
        run_until(lambda: len(world.outbox("draft_reminder")) == 1)
        traveller.move_to(deadline - timedelta(days=1, minutes=-1))
        run_until(lambda: len(world.outbox("draft_reminder")) == 2)
        traveller.move_to(deadline + timedelta(seconds=1))
        run_until(lambda: call_state(db, call_id) == "closed")
    assert ["dans 7 jours" in r.body_text for r in world.outbox("draft_reminder")] == [True, False]
    assert len(world.events("call", call_id, "close")) == 1


def test_a_running_scheduler_closes_a_call_at_its_deadline_with_a_stored_date_job(
    world: World, settings: Settings, db: Database, services: list[SchedulerService]
) -> None:
    deadline = datetime.now(UTC) + timedelta(seconds=1.5)
    call_id = world.call(deadline, opens_at=deadline - timedelta(days=40))
    settings.scheduler_lock_retry_seconds = 0.2  # sweeps stay at 60 s: only the date job can do it
    service = SchedulerService(settings)
    services.append(service)
    service.start()
    assert service.wait_until_leader(10)
    wait_for(lambda: call_state(db, call_id) == "closed", timeout=10)
    closed_at = world.events("call", call_id, "close")[0].created_at
    assert deadline <= closed_at < deadline + timedelta(seconds=1)


@pytest.mark.parametrize("backend", ["postgres"] if PG_URL else [], indirect=True)
def test_a_leader_whose_database_session_dies_steps_down_and_one_leader_remains(
    backend: str,
    settings: Settings,
    db: Database,
    services: list[SchedulerService],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fast(settings)
    services += [SchedulerService(settings), SchedulerService(settings)]
    for service in services:
        service.start()
    wait_for(lambda: any(s.is_leader for s in services))
    with db.transaction() as session:  # the server ends the leader's session: its lock is gone
        from sqlalchemy import text

        session.exec(  # type: ignore[call-overload]
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'cofinance-scheduler' AND pid <> pg_backend_pid()"
            )
        )
    wait_for(lambda: "lock lost" in caplog.text, timeout=5)
    wait_for(lambda: sum(s.is_leader for s in services) == 1, timeout=5)
    time.sleep(1.0)
    assert sum(s.is_leader for s in services) == 1


# -- several processes ---------------------------------------------------------------------------

LINE = re.compile(r"^(\S+ \S+) (\d+) cofinance\.\S+ \w+: (.*)$")


class Process:
    def __init__(self, args: list[str], settings: Settings, log: Path, **env: str) -> None:
        self.log = log
        environment = {
            **os.environ,
            "COFINANCE_DATABASE_URL": settings.effective_database_url,
            "COFINANCE_DATA_DIR": str(settings.data_dir),
            **{f"COFINANCE_{k.upper()}": str(v) for k, v in FAST.items()},
            **env,
        }
        self.handle = open(log, "wb")  # noqa: SIM115  (closed in stop())
        code = "import sys; from engine.cli import main; sys.exit(main(sys.argv[1:]))"
        self.popen = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=environment,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def lines(self) -> list[tuple[datetime, str]]:
        found = []
        for raw in self.log.read_text(errors="replace").splitlines():
            match = LINE.match(raw)
            if match and int(match[2]) == self.pid:
                moment = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f")
                found.append((moment, match[3]))
        return found

    def said(self, text: str) -> bool:
        return any(text in message for _, message in self.lines())

    def runs(self, job: str) -> list[datetime]:
        return [moment for moment, message in self.lines() if message.startswith(f"job {job} ran")]

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(10)
        self.handle.close()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    try:
        yield started
    finally:
        for process in started:
            process.stop()


def test_two_scheduler_processes_run_each_job_once_per_period_and_the_survivor_takes_over(
    world: World,
    settings: Settings,
    db: Database,
    tmp_path: Path,
    processes: list[Process],
) -> None:
    call_id, _ = past_deadline_call(world)
    processes += [Process(["scheduler"], settings, tmp_path / f"scheduler-{n}.log") for n in (1, 2)]
    wait_for(lambda: any(p.said("scheduler: leader,") for p in processes), timeout=20)
    (leader,) = [p for p in processes if p.said("scheduler: leader,")]
    (follower,) = [p for p in processes if p is not leader]
    wait_for(lambda: len(leader.runs("dispatch-outbox")) >= 6, timeout=10)
    wait_for(lambda: call_state(db, call_id) == "closed", timeout=5)

    # Only the leader ran jobs, once per 0.3 s period (plus the run at start), none doubled.
    assert not follower.said("scheduler: leader,") and follower.runs("dispatch-outbox") == []
    runs = leader.runs("dispatch-outbox")
    assert len(runs) <= (runs[-1] - runs[0]).total_seconds() / 0.3 + 2, runs
    assert len(world.events("call", call_id, "close")) == 1

    leader.popen.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    leader.popen.wait(10)
    wait_for(lambda: follower.said("scheduler: leader,"), timeout=10)
    takeover = time.monotonic() - killed
    assert takeover < 5, takeover
    wait_for(lambda: len(follower.runs("dispatch-outbox")) >= 2, timeout=5)
    assert len(world.events("call", call_id, "close")) == 1

    follower.popen.send_signal(signal.SIGTERM)  # a clean stop steps down and exits 0
    assert follower.popen.wait(15) == 0
    assert follower.said("stepped down")


def _up(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def test_serve_runs_the_scheduler_unless_told_not_to(
    world: World,
    settings: Settings,
    db: Database,
    tmp_path: Path,
    processes: list[Process],
) -> None:
    call_id, _ = past_deadline_call(world)
    ports = free_port(), free_port()
    quiet = Process(
        ["serve", "--port", str(ports[0]), "--no-scheduler"], settings, tmp_path / "quiet.log"
    )
    server = Process(["serve", "--port", str(ports[1])], settings, tmp_path / "serve.log")
    processes += [quiet, server]
    wait_for(lambda: _up(ports[0]) and _up(ports[1]), timeout=30)
    wait_for(lambda: call_state(db, call_id) == "closed", timeout=10)
    assert server.said("scheduler: started") and server.said("scheduler: leader,")
    assert server.runs("close-calls")
    assert not quiet.said("scheduler")  # --no-scheduler: not even a candidate
