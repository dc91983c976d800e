"""`cofinance demo --scale N`: a national-scale data set, inserted in bulk, for benchmarks.

N applications (4 shares each, 20 events each on average) spread over the seven schemes, four
past campaigns (calls closed, files decided in closed sessions and notified) and the current one
(calls open: drafts, submitted files, files on the agenda of planned sessions). Rows go in with
SQLAlchemy Core `insert()` in batches (executemany) on SQLite and with `COPY` on PostgreSQL, in
one transaction: nothing is left half-loaded.

The facts and stored rule results come from a pool of applications evaluated once by the real
rule engine (every scheme and campaign, several budgets, some ineligible or incomplete ones), so
that every file, share and event is one the workflow could have produced. What the generator does
not write: file contents (documents exist as rows without a blob, letters not at all), outbox
rows and in-app notifications. Every generated user has the password `SCALE_PASSWORD`.

Benchmarks also ask for drafts ready to submit (`ScalePlan.drafts`, owned by a few holders) and
for open sessions whose every share is decided, ready to close (`ScalePlan.ready_sessions`).
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import text

from engine import clock
from engine.db import Database
from engine.demo.scale.generator import Generator
from engine.demo.scale.plan import SCALE_PASSWORD, ScalePlan, ScaleSummary
from engine.demo.scale.writer import Writer
from engine.settings import Settings

__all__ = ["SCALE_PASSWORD", "ScalePlan", "ScaleSummary", "generate", "load"]


def generate(
    db: Database, plan: ScalePlan, settings: Settings, today: datetime | None = None
) -> ScaleSummary:
    """Insert the data set described by `plan` into a migrated database, in one transaction."""
    from engine.services.accounts import hash_password

    started = time.perf_counter()
    password_hash = hash_password(SCALE_PASSWORD)
    with db.engine.begin() as connection:
        writer = Writer(connection, plan.batch)
        generator = Generator(writer, plan, today or clock.now(), settings.department)
        summary = generator.run(password_hash)
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics (or the planner still sees the tables as they were before the load)
        # and the visibility map that index-only scans need: the state autovacuum reaches.
        autocommit = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as connection:
            for name in Writer.ORDER:
                connection.execute(text(f"VACUUM ANALYZE {name}"))
    summary.seconds = time.perf_counter() - started
    return summary


def load(settings: Settings, applications: int) -> list[str]:
    """`cofinance demo --scale N`: migrate, generate, return the lines to print."""
    from engine.db import get_database
    from engine.migrations import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    summary = generate(get_database(settings), ScalePlan(applications), settings)
    rows = ", ".join(f"{count} {table}" for table, count in summary.rows.items() if count)
    return [
        f"Scale data set loaded in {summary.seconds:.1f} s: {rows}",
        f"Open calls: {', '.join(f'{s} #{c}' for s, c in summary.open_calls.items())}",
        f"Sessions: {len(summary.closed_sessions)} closed, {len(summary.planned_sessions)} planned",
        f"Logins (password {SCALE_PASSWORD}): chair {summary.chair}; funders "
        + ", ".join(summary.funder_users.values())
        + "; holders scale-holder-<organisation id>",
    ]
