"""The unit of work on SQLite: only writers take the write lock (BEGIN IMMEDIATE); readers
read the last committed state beside an open write transaction (WAL), writers queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.db import Database

HOLD_SECONDS = 3.0


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'locks.sqlite3'}")
    with database.transaction() as session:
        session.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        session.execute(text("INSERT INTO counter (id, value) VALUES (1, 1)"))
    yield database
    database.dispose()


def _value(database: Database) -> int:
    with database.reading() as session:
        return int(session.execute(text("SELECT value FROM counter WHERE id = 1")).scalar_one())


def _hold_write(database: Database, holding: threading.Event, release: threading.Event) -> None:
    with database.transaction() as session:
        session.execute(text("UPDATE counter SET value = value + 1 WHERE id = 1"))
        holding.set()
        release.wait(HOLD_SECONDS)


def test_a_reader_is_not_held_up_by_an_open_write_transaction_and_sees_the_last_commit(
    sqlite_db: Database,
) -> None:
    holding, release = threading.Event(), threading.Event()
    writer = threading.Thread(target=_hold_write, args=(sqlite_db, holding, release))
    writer.start()
    try:
        assert holding.wait(5)
        started = time.monotonic()
        seen = _value(sqlite_db)
        elapsed = time.monotonic() - started
    finally:
        release.set()
        writer.join(10)
    assert elapsed < 1.0, f"the reader waited {elapsed:.2f} s for the writer"
    assert seen == 1  # the committed value, not the writer's uncommitted one
    assert _value(sqlite_db) == 2


def test_a_second_writer_waits_for_the_first_instead_of_failing(sqlite_db: Database) -> None:
    holding, release = threading.Event(), threading.Event()
    first = threading.Thread(target=_hold_write, args=(sqlite_db, holding, release))
    first.start()
    assert holding.wait(5)
    errors: list[BaseException] = []
    finished = threading.Event()

    def second() -> None:
        try:
            with sqlite_db.transaction() as session:
                session.execute(text("UPDATE counter SET value = value * 10 WHERE id = 1"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            finished.set()

    waiter = threading.Thread(target=second)
    waiter.start()
    try:
        # The second writer is blocked on the lock, not failed, while the first one holds it.
        assert not finished.wait(0.5)
    finally:
        release.set()
        first.join(10)
        waiter.join(10)
    assert errors == []
    assert _value(sqlite_db) == 20  # (1 + 1) * 10: the second ran after the first committed
