"""PostgreSQL restarted under load (`pg_ctl restart -m immediate`: a crash restart, WAL replay):
while it is down the API answers 503 with a JSON body, never a 500; then it recovers by itself
(the pool pre-pings and reconnects) and the invariants hold.

The test runs its own PostgreSQL cluster (initdb in a temporary folder, on a free port of
127.0.0.1, as the `postgres` user), so that restarting it disturbs no other database on the
machine; it is removed at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.migrations import upgrade
from engine.settings import Settings
from tests.soak.harness import Server, Workload, database, free_port, invariants, seed, tokens

RESTARTS = 3


def _bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not versions:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    return str(versions[-1] / name)


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


@pytest.fixture
def private_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A throw-away cluster: (its data folder, its URL)."""
    folder = Path("/tmp") / f"cofinance-soak-pg-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = free_port()
    _as_postgres(_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=on"
    _as_postgres(
        _bin("pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(folder / "log"), "start"
    )
    try:
        _as_postgres(_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "soak")
        yield str(data), f"postgresql+psycopg://postgres@127.0.0.1:{port}/soak"
    finally:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                _bin("pg_ctl"),
                "-D",
                str(data),
                "-m",
                "immediate",
                "stop",
            ]
            if os.geteuid() == 0
            else [_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_postgres_restarted_under_load_gives_503s_then_recovers_with_nothing_lost(
    private_postgres: tuple[str, str], tmp_path: Path
) -> None:
    data, url = private_postgres
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        secret_key="soak-test-secret-key-of-enough-length-for-hs256",
    )
    upgrade(url)
    with database(settings) as db:
        seed(db, settings, applications=30)
    server = Server(settings)
    try:
        server.start()
        headers = tokens(server.url)
        unavailable = 0
        for restart in range(RESTARTS):
            workload = Workload(server.url, headers, seed=100 + restart)
            workload.start(threads=3)
            time.sleep(1.0)
            # Crash-restart the database under the running server.
            log = str(Path(data).parent / "log")
            _as_postgres(_bin("pg_ctl"), "-D", data, "-m", "immediate", "-w", "-l", log, "restart")
            time.sleep(1.0)
            workload.join()
            assert workload.failures == [], workload.failures
            assert workload.tally.errors == {}, workload.tally.errors  # the server never fell
            statuses = workload.tally.statuses
            assert all(s < 500 or s == 503 for s in statuses), statuses
            unavailable += statuses[503]
            # Recovery: the next requests go through without anyone restarting the server.
            deadline = time.monotonic() + 30
            while True:
                answer = httpx.get(server.url + "/api/v1/sessions", headers=headers["chair"])
                if answer.status_code == 200 or time.monotonic() > deadline:
                    break
                assert answer.status_code == 503 and answer.json()["code"] == "unavailable"
                time.sleep(0.2)
            assert answer.status_code == 200
            with database(settings) as db:
                assert invariants(db, settings) == [], restart
        assert unavailable >= 1, "the restarts were never seen: no 503"
    finally:
        server.stop()
