"""PDF workers die with the process that started them, even when it is SIGKILLed: no worker, no
forkserver, no resource tracker is left re-parented to PID 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from engine import lifeline

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 10.0  # seconds the processes have to vanish


def group_members(pgid: int) -> dict[int, str]:
    """The live processes of a process group (zombies have ended: they only wait to be reaped,
    and PID 1 of a container may never reap them), with their command lines."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
            if int(stat[2]) != pgid or stat[0] in (b"Z", b"X"):
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        members[int(entry.name)] = cmdline
    return members


def wait_until_gone(pgid: int, deadline: float = DEADLINE) -> tuple[float, dict[int, str]]:
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        left = group_members(pgid)
        if not left:
            return time.monotonic() - start, {}
        time.sleep(0.02)
    return time.monotonic() - start, group_members(pgid)


SERVER = textwrap.dedent(
    """
    import sys, time
    from engine.services.letters import render_pool

    pool = render_pool(2)
    # Tasks run after the initializer: once they are done, both workers watch this process.
    for future in [pool.submit(time.sleep, 0.3) for _ in range(4)]:
        future.result()
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    time.sleep(600)
    """
)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@needs_proc
def test_render_workers_forkserver_and_resource_tracker_end_when_the_server_is_killed() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        start_new_session=True,  # its own process group: what it starts is found by group
    )
    try:
        assert server.stdout is not None
        workers = [int(pid) for pid in server.stdout.readline().split()]
        assert len(workers) == 2
        members = group_members(server.pid)
        assert set(workers) <= set(members)
        assert any("forkserver" in cmd for pid, cmd in members.items() if pid not in workers)
        assert any("resource_tracker" in cmd for cmd in members.values())
        assert len(members) == 5, members  # server, forkserver, resource tracker, two workers
        os.kill(server.pid, signal.SIGKILL)  # the server alone, as the OOM killer would
        server.wait(timeout=10)
        elapsed, left = wait_until_gone(server.pid)
        assert left == {}, f"still alive after {elapsed:.1f} s: {left}"
        assert elapsed < DEADLINE
    finally:
        for pid in group_members(server.pid):
            os.kill(pid, signal.SIGKILL)  # only on failure: the processes this test started
        if server.poll() is None:
            server.kill()
            server.wait()
        assert server.stdout is not None
        server.stdout.close()


WATCHER = textwrap.dedent(
    """
    import os, sys
    from engine import lifeline

    if {no_pidfd}:
        del os.pidfd_open  # an old kernel, or not Linux: the watch polls
    lifeline.start_watching(lifeline.Parent({pid}, lifeline.start_time({pid})))
    print("watching", flush=True)
    import time
    time.sleep(600)
    """
)


@needs_proc
@pytest.mark.parametrize("no_pidfd", [False, True], ids=["pidfd", "polling"])
def test_a_watching_process_ends_soon_after_its_parent(no_pidfd: bool) -> None:
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER.format(pid=parent.pid, no_pidfd=no_pidfd)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline() == b"watching\n"
        time.sleep(0.6)
        assert watcher.poll() is None  # the parent lives: the watcher too
        parent.kill()  # not reaped yet: a zombie still has its pid, it has ended all the same
        start = time.monotonic()
        watcher.wait(timeout=DEADLINE)
        assert time.monotonic() - start < (lifeline.POLL_SECONDS + 1.5 if no_pidfd else 1.0)
        assert watcher.returncode == 1
    finally:
        for process in (parent, watcher):
            if process.poll() is None:
                process.kill()
            process.wait()
        assert watcher.stdout is not None
        watcher.stdout.close()


@needs_proc
def test_a_reused_pid_is_not_taken_for_the_parent() -> None:
    me = lifeline.Parent.current()
    assert me.is_alive()
    assert me.started is not None
    # The same pid, started at another moment: another process.
    assert not lifeline.Parent(me.pid, me.started + 1).is_alive()
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert not lifeline.Parent(ended.pid, None).is_alive()


@needs_proc
def test_a_worker_started_after_its_parent_died_ends_at_once() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER.format(pid=gone.pid, no_pidfd=False)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    assert watcher.wait(timeout=DEADLINE) == 1
