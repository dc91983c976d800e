"""`make bench`: every benchmark in one command, bounded in time; writes bench/results.{json,md}.

    python -m bench [--quick]

Creates its own databases (a temporary SQLite file, PostgreSQL databases named
cofinance_bench_* on BENCH_POSTGRES_URL) and servers, and removes them. A part that would end
after the time budget (BENCH_BUDGET_SECONDS, default 30 minutes: every row of the table fits in
it on a 2-core machine) is skipped, and the results say so.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.common import BENCH, Result, load_average, log, machine

BUDGET = float(os.environ.get("BENCH_BUDGET_SECONDS", 30 * 60))


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "/s":
        return f"{value:,.0f}/s".replace(",", " ")
    if unit == "ms":
        return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.3g}"


def markdown(report: dict[str, Any], results: list[Result]) -> str:
    info = report["machine"]
    lines = [
        "| Benchmark | Measure | Backend | Median | Min | Max | Bare limit (median) "
        "| Ratio (median) | Target | Met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for number, r in enumerate(results, start=1):
        runs = sorted(r.runs)
        median = r.median
        bare = sorted(r.bare)[len(r.bare) // 2] if r.bare else None
        ratio = sorted(r.ratios)[len(r.ratios) // 2] if r.ratios else None
        bare_text = f"{_format(bare, r.unit)} ({r.bare_label})" if r.bare else "—"
        met = "—" if r.met is None else ("yes" if r.met else "**no**")
        measure = f"{r.measure} [{number}]" if r.note else r.measure
        lines.append(
            f"| {r.benchmark} | {measure} | {r.backend} | {_format(median, r.unit)} "
            f"| {_format(runs[0] if runs else None, r.unit)} "
            f"| {_format(runs[-1] if runs else None, r.unit)} | {bare_text} "
            f"| {'—' if ratio is None else f'{ratio:.3g}'} | {r.target or '—'} | {met} |"
        )
        if r.note:
            notes.append(f"{number}. {r.note}")
    header = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM; "
        f"Python {info['python']}, SQLite {info['sqlite']}, "
        f"PostgreSQL {info['postgresql'] or 'unavailable'}.",
        f"Run {report['started']} in {report['seconds']:.0f} s; load average (1, 5, 15 min) "
        f"{report['load_average']['start']} at the start, {report['load_average']['end']} at "
        "the end. Each measure is the median, min and max of several runs; the bare limit and "
        "the ratio (cofinance ÷ bare, median of the per-run ratios) are measured in the same run.",
        "",
    ]
    return "\n".join([*header, *lines, "", *notes, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run (smoke test)")
    args = parser.parse_args()

    from bench import closing, email_delivery, evaluation, reading, submission
    from bench import statistics as territory
    from bench.common import postgres_version

    started = time.monotonic()
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": {"start": load_average()},
    }
    log(f"machine: {report['machine']}")
    postgres = postgres_version() is not None
    runs = 1 if args.quick else 3
    scale = 5_000 if args.quick else 100_000
    # (name, possible, estimated seconds on this machine, the part): a part that would end after
    # the budget is skipped, and says so in the results.
    parts: list[tuple[str, bool, float, Callable[[], list[Result]]]] = [
        (
            "rules",
            True,
            15,
            lambda: evaluation.run(runs=runs + 2, repeat=50 if args.quick else 200),
        ),
        ("submit sqlite", True, 90, lambda: submission.run("sqlite", runs)),
        ("submit postgres", postgres, 100, lambda: submission.run("postgres", runs)),
        (
            "submit postgres, 2 workers",
            postgres,
            100,
            lambda: submission.run("postgres", runs, workers=2),
        ),
        ("reading postgres", postgres, 300, lambda: reading.run(scale, runs)),
        ("statistics postgres", postgres, 200, lambda: territory.run(scale, runs)),
        ("letters", True, 10, lambda: [closing.letter_runs(runs)]),
        (
            "email sqlite",
            True,
            30 + 30 * runs,
            lambda: email_delivery.run("sqlite", runs, 300 if args.quick else 2000),
        ),
        ("close sqlite", True, 40 + 40 * runs, lambda: closing.close_runs("sqlite", runs)),
        (
            "close postgres",
            postgres,
            40 + 60 * runs,
            lambda: closing.close_runs("postgres", runs),
        ),
    ]
    results: list[Result] = []
    for name, possible, estimate, part in parts:
        if not possible:
            results.append(Result(name, "skipped", "PostgreSQL", "", [], note="no PostgreSQL"))
            continue
        elapsed = time.monotonic() - started
        if elapsed + estimate > BUDGET and not args.quick:
            note = f"skipped: {elapsed:.0f} s spent, about {estimate:.0f} s more needed"
            results.append(Result(name, "skipped (time budget)", "—", "", [], note=note))
            continue
        log(f"{name} …")
        load = load_average()
        try:
            for result in part():
                # The machine may be shared: what else ran is part of the measure.
                where = f"load average {load} when this part started"
                result.note = f"{result.note}; {where}" if result.note else where
                results.append(result)
        except Exception as exc:
            traceback.print_exc()
            results.append(Result(name, "failed", "—", "", [], met=False, note=repr(exc)[:300]))
    report["load_average"]["end"] = load_average()
    report["seconds"] = time.monotonic() - started
    report["results"] = [r.as_json() for r in results]
    (BENCH / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    table = markdown(report, results)
    (BENCH / "results.md").write_text(table)
    print(table)
    log(f"done in {report['seconds']:.0f} s: bench/results.json, bench/results.md")


if __name__ == "__main__":
    main()
