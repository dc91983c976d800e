"""Database engine and unit of work: SQLite (WAL, foreign keys, immediate writes) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from engine.settings import Settings

# Execution option carried by the connections of `Database.reading()`: on SQLite they begin a
# deferred transaction instead of taking the write lock.
READ_ONLY = "cofinance_read_only"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself, so writers can take the lock first.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # Readers: a deferred BEGIN takes no lock; in WAL mode they read the last committed
            # state beside an open write transaction instead of queueing behind it.
            connection.exec_driver_sql("BEGIN")
        else:
            # Writers: BEGIN IMMEDIATE, so a read-then-write transaction can no longer be
            # overtaken by another writer between its read and its write (SQLite ignores
            # SELECT … FOR UPDATE). A second writer waits for the lock (busy_timeout).
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """One engine per process; `transaction()` is the unit of work every service uses."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        # Same pool, connections marked read-only: see `_on_begin` (SQLite) above.
        self._reader_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}),
            class_=Session,
            expire_on_commit=False,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on any error: state, event and outbox rows land together."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit: never takes SQLite's write lock, so it must not write."""
        session = self._reader_sessions()
        try:
            yield session
        finally:
            # close() ends the transaction without expiring what was loaded, so the rows
            # returned to the caller stay readable once detached.
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


_databases: dict[str, Database] = {}


def get_database(settings: Settings) -> Database:
    url = settings.effective_database_url
    if url not in _databases:
        _databases[url] = Database(url)
    return _databases[url]
