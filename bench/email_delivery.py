"""Email delivery: N messages queued in the outbox of a SQLite (and PostgreSQL) base, delivered to
a local SMTP server (aiosmtpd, in its own process) by `engine.notify.deliver.dispatch_outbox`.

The measure is messages per second from the first dispatch to the last row marked sent,
calling `dispatch_outbox` until nothing is due (what the production worker does after a close;
the scheduler's pass does the same, bounded by `outbox_pass_max`). Every run then checks that
the server received each queued Message-ID exactly once and that every row is `sent`.

The messages are real renderings of the `documents_requested` template (about 1.6 kB with their
HTML part), without PDF attachments: the SMTP conversation and the outbox bookkeeping are what is
measured, not the PDF encoding.

    python -m bench.email_delivery [sqlite|postgres] [COUNT] [DELAY_MS]  # one run, by hand
    python -m bench.email_delivery serve PORT FILE [DELAY_MS]  # the server: a Message-ID a line

DELAY_MS makes the server wait before each answer to DATA, as a remote relay would (by hand only:
`make bench` measures the local server).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import ROOT, Result, database, free_port, log

COUNT = 2000
TARGET = 20.0  # messages/s (issue 16, item 6)
QUEUE_CHUNK = 500  # rows per transaction while queueing (not measured)


# -- the SMTP server (a separate process: its parsing is not charged to the deliverer) -----------


class _Recorder:
    def __init__(self, path: Path, delay: float) -> None:
        self.file = path.open("a", encoding="utf-8")
        self.delay = delay

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio
        from email.parser import BytesHeaderParser

        if self.delay:
            await asyncio.sleep(self.delay)

        headers = BytesHeaderParser().parsebytes(envelope.content)
        self.file.write(f"{headers.get('Message-ID', '')}\n")
        self.file.flush()
        return "250 OK"


def serve(port: int, path: Path, delay: float = 0.0) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_Recorder(path, delay), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


@contextlib.contextmanager
def smtp_server(folder: Path, delay_ms: float = 0.0) -> Iterator[tuple[str, Path]]:
    """(SMTP URL, file of received Message-IDs) of a fresh aiosmtpd process."""
    port = free_port()
    received = folder / "received.txt"
    received.touch()
    command = ["serve", str(port), str(received), str(delay_ms)]
    process = subprocess.Popen([sys.executable, "-m", "bench.email_delivery", *command], cwd=ROOT)
    try:
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the SMTP server did not start")
            time.sleep(0.05)
        yield f"smtp://127.0.0.1:{port}", received
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the measure ----------------------------------------------------------------------------------


def _queue(db: Any, count: int) -> list[str]:
    from engine.notify.outbox import enqueue

    ids: list[str] = []
    for start in range(0, count, QUEUE_CHUNK):
        with db.transaction() as session:
            for index in range(start, min(start + QUEUE_CHUNK, count)):
                row = enqueue(
                    session,
                    "documents_requested",
                    f"holder{index}@example.org",
                    {
                        "application": {"title": f"Dossier {index}", "reference": f"R-{index}"},
                        "reason": "Le RIB manque.",
                    },
                )
                ids.append(row.message_id)
    return ids


def delivery_run(backend: str, count: int, delay_ms: float = 0.0) -> tuple[float, int, str]:
    """(messages/s, dispatch calls, problems found: empty when each arrived exactly once)."""
    from sqlmodel import select

    from engine.db import Database
    from engine.migrations import upgrade
    from engine.models import OutboxMessage
    from engine.notify.deliver import dispatch_outbox
    from engine.settings import Settings

    with (
        database(backend, "email") as (url, data_dir),
        smtp_server(data_dir, delay_ms) as (smtp, received),
    ):
        upgrade(url)
        db = Database(url)
        try:
            settings = Settings(data_dir=data_dir, database_url=url, smtp_url=smtp)
            queued = _queue(db, count)
            calls = 0
            started = time.perf_counter()
            while dispatch_outbox(db, settings):
                calls += 1
            elapsed = time.perf_counter() - started
            time.sleep(0.2)  # the server writes its last line after answering 250
            counts = Counter(received.read_text(encoding="utf-8").split())
            with db.reading() as session:
                states = Counter(r.state for r in session.exec(select(OutboxMessage)))
        finally:
            db.dispose()
    problems = []
    twice = sum(1 for n in counts.values() if n > 1)
    missing = len(set(queued) - set(counts))
    if twice or missing or set(counts) - set(queued):
        problems.append(f"{twice} received twice, {missing} never received")
    if states != {"sent": count}:
        problems.append(f"outbox states {dict(states)}")
    return count / elapsed, calls, "; ".join(problems)


def run(backend: str, runs: int, count: int = COUNT, delay_ms: float = 0.0) -> list[Result]:
    from engine.settings import Settings

    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    defaults = Settings()
    parallel = defaults.outbox_parallel
    result = Result(
        "Email delivery",
        f"{count} messages to a local SMTP server (aiosmtpd), exactly once",
        label,
        "/s",
        [],
        target=f"≥ {TARGET:.0f}/s",
    )
    problems: list[str] = []
    for number in range(runs):
        rate, calls, problem = delivery_run(backend, count, delay_ms)
        result.runs.append(rate)
        if problem:
            problems.append(problem)
        log(
            f"email/{backend} run {number + 1}: {rate:.0f} messages/s in {calls} dispatch call(s)"
            + (f"; {problem}" if problem else "; each message received once")
        )
    result.met = not problems and (result.median or 0.0) >= TARGET
    result.note = (
        f"batches of {defaults.outbox_batch_size} messages per SMTP connection, {parallel} "
        "connections at once; each message received exactly once (checked by Message-ID on "
        "every run)"
        + (f"; PROBLEMS: {' | '.join(problems)}" if problems else "")
        + f"; a scheduler pass delivers up to {defaults.outbox_pass_max} every "
        f"{defaults.scheduler_dispatch_seconds:.0f} s (before: 20 per pass, 1.3/s)"
    )
    return [result]


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4]) / 1000 if sys.argv[4:] else 0)
    else:
        backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
        count = int(sys.argv[2]) if len(sys.argv) > 2 else COUNT
        delay_ms = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
        for line in run(backend, 1, count, delay_ms):
            print(line)
