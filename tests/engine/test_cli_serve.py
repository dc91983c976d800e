"""`cofinance serve`: the app loaded by its import string, `--workers N` worker processes
answering, the scheduler started once, a clean stop on SIGTERM."""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from engine.cli import build_parser
from engine.cli import server as server_cli

COFINANCE = Path(sys.executable).with_name("cofinance")
LINUX = sys.platform.startswith("linux") and Path("/proc/net/tcp").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_loads_the_app_by_its_import_string_even_with_one_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    args = build_parser().parse_args(["serve", "--port", "8123", "--no-scheduler"])
    assert server_cli.serve_app(args) == 0
    [(app, options)] = calls
    assert app == "api.main:create_app" and options["factory"] is True
    assert options["workers"] == 1 and options["port"] == 8123
    assert options["proxy_headers"] is False


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_a_worker_count_below_one_is_a_usage_error(value: str) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", "--workers", value])
    assert exited.value.code == 2
    assert isinstance(server_cli._positive("3"), int)
    with pytest.raises(argparse.ArgumentTypeError):
        server_cli._positive(value)


# --- a real `cofinance serve --workers 2` -------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            stat = (entry / "stat").read_text()
            # pid (comm) state ppid …: comm may hold spaces, so split after its closing ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _workers(pid: int) -> list[int]:
    """uvicorn's worker processes: spawned children of the serve process."""
    workers = []
    for child in _children(pid):
        with suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                workers.append(child)
    return sorted(workers)


def _socket_owner(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """The pid holding the server end of the TCP connection 127.0.0.1:client → :server."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = fields[1], fields[2], fields[3]
        if (
            state == "01"
            and int(local.split(":")[1], 16) == server_port
            and int(remote.split(":")[1], 16) == client_port
        ):
            inode = fields[9]
    if inode is None:
        return None
    for pid in pids:
        with suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with suppress(OSError):
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
    return None


def _start(tmp_path: Path, *options: str) -> tuple[subprocess.Popen[bytes], int, Path]:
    env = {
        **os.environ,
        "COFINANCE_DATA_DIR": str(tmp_path / "data"),
        "COFINANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'cofinance.sqlite3'}",
    }
    env.pop("COFINANCE_SCHEDULER", None)
    upgraded = subprocess.run(
        [str(COFINANCE), "db", "upgrade"], env=env, capture_output=True, timeout=60, check=False
    )
    assert upgraded.returncode == 0, upgraded.stderr.decode()
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(COFINANCE), "serve", "--port", str(port), "--workers", "2", *options],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: a failed test can still kill every worker
        )
    return process, port, log


def _wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        text = log.read_text()
        if text.count("Application startup complete") >= 2 and len(_workers(process.pid)) == 2:
            return _workers(process.pid)
        time.sleep(0.2)
    raise AssertionError(f"two workers not ready within 30 s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes], workers: list[int]) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    elapsed = time.monotonic() - started
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    return elapsed


@pytest.fixture
def cleanup() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.mark.skipif(not LINUX, reason="reads the process tree and sockets from /proc")
def test_two_workers_answer_requests_and_stop_cleanly_on_sigterm(
    tmp_path: Path, cleanup: list[subprocess.Popen[bytes]]
) -> None:
    process, port, log = _start(tmp_path, "--no-scheduler")
    cleanup.append(process)
    workers = _wait_ready(process, port, log)
    assert len(set(workers)) == 2 and process.pid not in workers

    # Which worker answered each request: the owner of the server end of its connection.
    answered: set[int] = set()
    deadline = time.monotonic() + 20
    while len(answered) < 2 and time.monotonic() < deadline:
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(8)]
        try:
            for connection in connections:
                connection.connect()
            for connection in connections:
                connection.request("GET", "/api/v1/health")
                response = connection.getresponse()
                assert response.status == 200 and b'"ok"' in response.read()
                assert connection.sock is not None
                owner = _socket_owner(port, connection.sock.getsockname()[1], workers)
                if owner is not None:
                    answered.add(owner)
        finally:
            for connection in connections:
                connection.close()
    assert answered == set(workers), f"answered by {answered}, workers {workers}"

    elapsed = _stop(process, workers)
    assert process.returncode == 0, log.read_text()
    assert elapsed < 15
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    text = log.read_text()
    assert "scheduler:" not in text  # --no-scheduler: no process started one


@pytest.mark.skipif(not LINUX, reason="reads the process tree from /proc")
def test_with_workers_the_scheduler_starts_once_in_the_serve_process(
    tmp_path: Path, cleanup: list[subprocess.Popen[bytes]]
) -> None:
    process, port, log = _start(tmp_path)
    cleanup.append(process)
    workers = _wait_ready(process, port, log)
    deadline = time.monotonic() + 15
    while "scheduler: leader" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    _stop(process, workers)
    assert process.returncode == 0, log.read_text()
    text = log.read_text()
    assert text.count("scheduler: started") == 1, text
    assert text.count("scheduler: leader") == 1, text
