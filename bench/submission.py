"""Submission through the real HTTP stack, against a bare FastAPI + SQLModel insert.

`cofinance serve` (uvicorn on 127.0.0.1, in a subprocess) on a database holding a few thousand
applications and, prepared in bulk beforehand, drafts with all their documents owned by a few
holders; threads with keep-alive httpx clients submit them. In each run the bare endpoint
(`bench/bare_app.py`, same uvicorn, same database) takes the same load just before: the ratio
compares two measures taken a few seconds apart. The server's resident memory is sampled
during the load (VmRSS) and read at the end (VmHWM, the peak).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    Load,
    Request,
    Result,
    Sampler,
    cofinance_command,
    cofinance_env,
    database,
    free_port,
    log,
    run_load,
    server,
)

RATIO_TARGET = 0.5
MEMORY_TARGET_MB = 250.0
CONCURRENCY = 8
SECONDS = 6.0  # per phase: bare, then cofinance, in each run
PER_RUN = 1200  # drafts prepared per run (more than cofinance submits in SECONDS)
BACKGROUND = 3000  # applications already in the database


def _prepare(url: str, data_dir: Path, runs: int) -> tuple[list[int], list[str], str]:
    from engine.db import Database
    from engine.demo.scale import SCALE_PASSWORD, ScalePlan, generate
    from engine.migrations import upgrade
    from engine.settings import Settings

    upgrade(url)
    db = Database(url)
    settings = Settings(data_dir=data_dir, database_url=url)
    plan = ScalePlan(BACKGROUND, drafts=PER_RUN * runs, draft_holders=8)
    summary = generate(db, plan, settings)
    db.dispose()
    return summary.drafts, summary.draft_holders, SCALE_PASSWORD


def _tokens(base_url: str, usernames: list[str], password: str) -> list[dict[str, str]]:
    headers = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for username in usernames:
            response = client.post(
                "/api/v1/auth/token", data={"username": username, "password": password}
            )
            response.raise_for_status()
            headers.append({"Authorization": f"Bearer {response.json()['access_token']}"})
    return headers


def _submissions(
    drafts: list[int], headers: list[dict[str, str]], start: int, stop: int
) -> Iterator[Request]:
    for index in range(start, stop):
        # The generator hands drafts to its holders in turn: draft i belongs to holder i % H.
        draft, auth = drafts[index], headers[index % len(headers)]

        def submit(client: httpx.Client, draft: int = draft, auth: Any = auth) -> httpx.Response:
            return client.post(f"/api/v1/applications/{draft}/submit", headers=auth)

        yield submit


def _inserts(keys: Iterator[int], total: int) -> Iterator[Request]:
    for _ in range(total):
        key = next(keys)

        def insert(client: httpx.Client, key: int = key) -> httpx.Response:
            return client.post(f"/rows/{key}")

        yield insert


def _submitted(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.json()["state"] in (
        "eligible",
        "incomplete",
        "ineligible",
    )


def run(backend: str, runs: int = 3, workers: int = 1) -> list[Result]:
    """The submission load on one server process, or on `cofinance serve --workers N` (the
    way a deployment uses several cores) beside it."""
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    processes = f", {workers} worker processes" if workers > 1 else ""
    throughput = Result(
        "Submission",
        f"POST …/submit, requests/s (8 clients{processes})",
        label,
        "/s",
        [],
        target=f"ratio ≥ {RATIO_TARGET}",
        bare_label="FastAPI + SQLModel, one-row insert",
    )
    latency = Result("Submission", f"POST …/submit, p95 latency{processes}", label, "ms", [])
    memory = Result(
        "Memory",
        "`cofinance serve` resident memory under submission load (peak)",
        label,
        "MB",
        [],
        target=f"≤ {MEMORY_TARGET_MB:.0f} MB",
    )
    errors: list[str] = []
    with database(backend, "submit") as (url, data_dir):
        log(f"submit/{backend}: preparing {BACKGROUND} applications and {PER_RUN * runs} drafts")
        drafts, holders, password = _prepare(url, data_dir, runs)
        env = cofinance_env(url, data_dir)
        app_port, bare_port = free_port(), free_port()
        bare_command = [sys.executable, "-m", "bench.bare_app", "--port", str(bare_port)]
        command = cofinance_command(app_port)
        if workers > 1:
            command += ["--workers", str(workers)]
        with (
            server(command, env, "/api/v1/health", data_dir / "app.log") as app,
            server(bare_command, env, "/health", data_dir / "bare.log") as bare,
        ):
            headers = _tokens(app.url, holders, password)
            keys = count()
            # Warm-up: the first requests open connections and fill caches.
            run_load(bare.url, _inserts(keys, 50), CONCURRENCY, 10)
            warm = run_load(app.url, _submissions(drafts, headers, 0, 40), CONCURRENCY, 20)
            if warm.errors:
                errors.append(warm.first_error)
            next_draft = 40
            peaks = []
            for number in range(runs):
                base = run_load(bare.url, _inserts(keys, 100_000), CONCURRENCY, SECONDS)
                stop = min(len(drafts), next_draft + PER_RUN)
                with Sampler(app) as sampler:
                    load: Load = run_load(
                        app.url,
                        _submissions(drafts, headers, next_draft, stop),
                        CONCURRENCY,
                        SECONDS,
                        ok=_submitted,
                    )
                next_draft += load.completed + load.errors
                peaks.append(sampler.peak_rss)
                if load.errors or base.errors:
                    errors.append(load.first_error or base.first_error)
                throughput.runs.append(load.throughput)
                throughput.bare.append(base.throughput)
                throughput.ratios.append(load.throughput / base.throughput)
                latency.runs.append(load.p95)
                latency.bare.append(base.p95)
                log(
                    f"submit/{backend} run {number + 1}: {load.throughput:.0f}/s p95 "
                    f"{load.p95:.0f} ms ({load.completed} submitted, {load.errors} errors); "
                    f"bare {base.throughput:.0f}/s p95 {base.p95:.1f} ms"
                )
            hwm = app.memory().get("VmHWM", 0)
            memory.runs = [peak / 1024 for peak in peaks]
            memory.note = f"VmHWM (peak resident set) of the server process: {hwm / 1024:.0f} MB"
            memory.met = hwm / 1024 <= MEMORY_TARGET_MB
    ratio = sorted(throughput.ratios)[len(throughput.ratios) // 2]
    throughput.met = ratio >= RATIO_TARGET
    latency.bare_label = "bare insert p95"
    notes = [
        f"{BACKGROUND} applications in the database; each submission runs the rules, stores the "
        "result and trace, proposes the shares, writes the events and queues the receipt "
        "emails in one transaction, then returns the application"
    ]
    if workers > 1:
        notes.append(f"`cofinance serve --workers {workers}`: uvicorn's supervisor and its workers")
    if errors:
        notes.append(f"errors: {errors[0][:200]}")
    throughput.note = "; ".join(notes)
    # With several workers the sampled process is the supervisor: its memory says nothing.
    return [throughput, latency, memory] if workers == 1 else [throughput, latency]
