"""The shared diagnosis at national scale: `GET /api/v1/statistics?year=Y` on 100 000
applications (400 000 shares, 2 000 000 events) on PostgreSQL, for the funding year with the
most files, as the chair; the issue wants it under a second.

`engine.demo.scale` loads the base into a new PostgreSQL database (COPY), `cofinance serve`
answers; one client reads, one request at a time. The service alone (in-process, no HTTP) is
measured too, with its number of SQL statements.
"""

from __future__ import annotations

import shutil
import statistics as stats
import time
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
    postgres_database,
    server,
)

TARGET_MS = 1000.0
REQUESTS = 10  # per run


def run(applications: int = 100_000, runs: int = 3) -> list[Result]:
    data_dir = Path(mkdtemp(prefix="cofinance-bench-statistics-"))
    try:
        return _run(applications, runs, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(applications: int, runs: int, data_dir: Path) -> list[Result]:
    from sqlalchemy import event
    from sqlmodel import select

    from engine.access import Actor
    from engine.db import Database
    from engine.demo.scale import SCALE_PASSWORD, ScalePlan, generate
    from engine.migrations import upgrade
    from engine.models import User
    from engine.services.statistics import funding_years, territory_statistics
    from engine.settings import Settings

    api = Result(
        "Statistics at scale",
        "GET /api/v1/statistics, the busiest year (median)",
        "PostgreSQL",
        "ms",
        [],
        target=f"≤ {TARGET_MS:.0f} ms",
    )
    service = Result(
        "Statistics at scale",
        "territory_statistics() in-process, the busiest year (median)",
        "PostgreSQL",
        "ms",
        [],
    )
    with postgres_database(f"cofinance_bench_statistics_{applications}") as url:
        upgrade(url)
        db = Database(url)
        started = time.perf_counter()
        summary = generate(
            db, ScalePlan(applications), Settings(data_dir=data_dir, database_url=url)
        )
        loading = time.perf_counter() - started
        with db.reading() as session:
            chair = Actor.of(session.exec(select(User).where(User.username == summary.chair)).one())
        counts = {
            y: territory_statistics(db, chair, y, None).totals for y in funding_years(db, chair)
        }
        year = max(counts, key=lambda y: counts[y].applications)
        totals = counts[year]
        log(
            f"statistics: {summary.rows['applications']} applications loaded in {loading:.0f} s; "
            f"{year}: {totals.applications} files, {totals.granted} granted"
        )
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        territory_statistics(db, chair, year, None)
        event.remove(db.engine, "before_cursor_execute", count)
        for _ in range(runs):
            timings = []
            for _ in range(REQUESTS):
                before = time.perf_counter()
                territory_statistics(db, chair, year, None)
                timings.append((time.perf_counter() - before) * 1000)
            service.runs.append(stats.median(timings))
        db.dispose()
        port = free_port()
        env = cofinance_env(url, data_dir)
        with (
            server(cofinance_command(port), env, "/api/v1/health", data_dir / "app.log") as app,
            httpx.Client(base_url=app.url, timeout=60) as client,
        ):
            token = client.post(
                "/api/v1/auth/token",
                data={"username": summary.chair, "password": SCALE_PASSWORD},
            )
            token.raise_for_status()
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            path = f"/api/v1/statistics?year={year}"
            client.get(path, headers=headers).raise_for_status()  # warm-up
            for number in range(runs):
                timings = []
                for _ in range(REQUESTS):
                    before = time.perf_counter()
                    client.get(path, headers=headers).raise_for_status()
                    timings.append((time.perf_counter() - before) * 1000)
                api.runs.append(stats.median(timings))
                log(f"statistics run {number + 1}: median {api.runs[-1]:.0f} ms")
    api.met = (api.median or 0.0) <= TARGET_MS
    api.note = (
        f"{summary.rows['applications']} applications, {summary.rows['shares']} shares, "
        f"{summary.rows['events']} events; year {year}: {totals.applications} files counted"
    )
    service.note = f"{len(seen)} SQL statements whatever the number of files"
    return [api, service]
