"""Reading at national scale: 100 000 applications, 400 000 shares, 2 000 000 events.

`engine.demo.scale` loads them into a new PostgreSQL database (COPY), `cofinance serve` answers;
one client reads, one request at a time:

- the funder inbox: `GET /api/v1/applications` as a member of the Caf (asked by every file),
  first page (50 files with their shares, flags and rule results);
- the session screen: `GET /api/v1/sessions/{id}` as the chair, for planned sessions of
  80 files (every plan, its flags and the envelope use of the whole call);
- an application page: `GET /api/v1/applications/{id}` as the chair, random decided files.

The bare limit is `GET /api/v1/health` through the same server. Each page's number of SQL
statements is counted in-process with a `before_cursor_execute` listener.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx

from bench.common import (
    Result,
    cofinance_command,
    cofinance_env,
    free_port,
    log,
    percentile,
    postgres_database,
    server,
)

TARGET_MS = 150.0
# The session screen is what a chair reloads in session, at every decision (issue [7/7]).
TARGETS_MS = {"session": 100.0}
REQUESTS = 40  # per page and run


def _statements(url: str, reads: dict[str, Callable[[Any], object]]) -> dict[str, int]:
    from sqlalchemy import event

    from engine.db import Database

    db = Database(url)
    counts = {}
    try:
        for name, read in reads.items():
            read(db)  # warm-up
            seen: list[str] = []

            def count(*args: Any, seen: list[str] = seen) -> None:
                seen.append(args[2])

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                read(db)
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            counts[name] = len(seen)
    finally:
        db.dispose()
    return counts


def _timings(client: httpx.Client, paths: Iterator[str], headers: dict[str, str]) -> list[float]:
    latencies = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return latencies


def run(applications: int = 100_000, runs: int = 3) -> list[Result]:
    results = {
        name: Result(
            "Reading at scale",
            measure,
            "PostgreSQL",
            "ms",
            [],
            target=f"p95 ≤ {TARGETS_MS.get(name, TARGET_MS):.0f} ms",
            bare_label="GET /api/v1/health p95",
        )
        for name, measure in (
            ("inbox", "funder inbox, first page (p95)"),
            ("session", "session screen, 80 files (p95)"),
            ("application", "application page (p95)"),
        )
    }
    data_dir = Path(mkdtemp(prefix="cofinance-bench-reading-"))
    try:
        return _run(applications, runs, results, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(applications: int, runs: int, results: dict[str, Result], data_dir: Path) -> list[Result]:
    from sqlmodel import select

    from engine.access import Actor
    from engine.db import Database
    from engine.demo.scale import SCALE_PASSWORD, ScalePlan, generate
    from engine.migrations import upgrade
    from engine.models import Application, User
    from engine.services import queries, sessions
    from engine.settings import Settings

    with postgres_database(f"cofinance_bench_reading_{applications}") as url:
        upgrade(url)
        db = Database(url)
        started = time.perf_counter()
        settings = Settings(data_dir=data_dir, database_url=url)
        summary = generate(db, ScalePlan(applications), settings)
        loading = time.perf_counter() - started
        rows = summary.rows
        log(
            f"reading: {rows['applications']} applications, {rows['shares']} shares, "
            f"{rows['events']} events loaded in {loading:.0f} s"
        )
        with db.reading() as session:
            chair = Actor.of(session.exec(select(User).where(User.username == summary.chair)).one())
            caf_name = summary.funder_users["caf"]
            caf = Actor.of(session.exec(select(User).where(User.username == caf_name)).one())
            decided = [
                i
                for i in session.exec(
                    select(Application.id).where(Application.state == "notified").limit(5000)
                )
                if i is not None
            ]
        db.dispose()
        meetings = summary.planned_sessions or summary.closed_sessions
        rng = random.Random(7)
        counts = _statements(
            url,
            {
                "inbox": lambda d: queries.list_applications(d, caf),
                "session": lambda d: sessions.session_view(d, chair, meetings[0]),
                "application": lambda d: queries.application_view(d, chair, decided[0]),
            },
        )
        port = free_port()
        env = cofinance_env(url, data_dir)
        with server(cofinance_command(port), env, "/api/v1/health", data_dir / "app.log") as app:
            with httpx.Client(base_url=app.url, timeout=60) as client:
                tokens = {}
                for username in (summary.chair, caf_name):
                    response = client.post(
                        "/api/v1/auth/token",
                        data={"username": username, "password": SCALE_PASSWORD},
                    )
                    response.raise_for_status()
                    tokens[username] = {
                        "Authorization": f"Bearer {response.json()['access_token']}"
                    }
                pages: dict[str, tuple[Callable[[], Iterator[str]], dict[str, str]]] = {
                    "inbox": (lambda: iter(["/api/v1/applications"] * REQUESTS), tokens[caf_name]),
                    "session": (
                        lambda: (
                            f"/api/v1/sessions/{meetings[i % len(meetings)]}"
                            for i in range(REQUESTS)
                        ),
                        tokens[summary.chair],
                    ),
                    "application": (
                        lambda: (
                            f"/api/v1/applications/{rng.choice(decided)}" for _ in range(REQUESTS)
                        ),
                        tokens[summary.chair],
                    ),
                }
                for paths, headers in pages.values():  # warm-up
                    _timings(client, islice_paths(paths(), 5), headers)
                for number in range(runs):
                    health = _timings(client, iter(["/api/v1/health"] * REQUESTS), {})
                    for name, (paths, headers) in pages.items():
                        latencies = _timings(client, paths(), headers)
                        results[name].runs.append(percentile(latencies, 0.95))
                        results[name].bare.append(percentile(health, 0.95))
                    log(
                        f"reading run {number + 1}: "
                        + ", ".join(f"{n} p95 {r.runs[-1]:.0f} ms" for n, r in results.items())
                    )
            memory = app.memory().get("VmHWM", 0) / 1024
    for name, result in results.items():
        result.met = (result.median or 0.0) <= TARGETS_MS.get(name, TARGET_MS)
        result.note = (
            f"{counts[name]} SQL statements per page (constant whatever the page size: "
            "tests/engine/test_query_counts.py)"
        )
    results["inbox"].note += (
        f"; {rows['applications']} applications, {rows['shares']} shares, {rows['events']} "
        f"events, loaded by `cofinance demo --scale` in {loading:.0f} s; server peak RSS "
        f"{memory:.0f} MB"
    )
    return list(results.values())


def islice_paths(paths: Iterator[str], count: int) -> Iterator[str]:
    for _, path in zip(range(count), paths, strict=False):
        yield path
