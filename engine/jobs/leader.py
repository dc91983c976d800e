"""Leader election: however many processes start a scheduler, exactly one runs the jobs.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a dedicated
  connection. It lives as long as that connection: when the leader dies, even by SIGKILL, the
  server ends its session and frees the lock, and the next process to try takes over.
- SQLite (one machine): an exclusive `flock` on a lock file beside the database, which the
  kernel frees when the process dies.

APScheduler 3 has no such coordination: two schedulers on one job store run every job twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import zlib
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from engine.settings import Settings

log = logging.getLogger("cofinance.scheduler")

# A fixed 64-bit key in the database's advisory lock space ("cofinance.scheduler").
LOCK_KEY = zlib.crc32(b"cofinance.scheduler")


class LeaderLock(Protocol):
    description: str

    def acquire(self) -> bool:
        """Try once, without waiting; True if this process is now the leader."""
        ...

    def held(self) -> bool:
        """Still the leader? (False once the lock's connection or file is gone.)"""
        ...

    def release(self) -> None: ...

    def close(self) -> None: ...


class PostgresLock:
    def __init__(self, url: str, key: int = LOCK_KEY) -> None:
        self.key = key
        self.description = f"PostgreSQL advisory lock {key}"
        # Its own connection, outside any pool: the lock belongs to this session only.
        self._engine = create_engine(
            url,
            poolclass=NullPool,
            connect_args={
                "connect_timeout": 5,
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 3,
                "application_name": "cofinance-scheduler",
            },
        )
        self._connection: Connection | None = None

    def acquire(self) -> bool:
        if self._connection is not None:
            return self.held()
        try:
            connection = self._engine.connect()
        except SQLAlchemyError as exc:
            log.warning("scheduler lock: cannot reach the database: %s", exc)
            return False
        try:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
            connection.commit()  # never sit idle in a transaction; the lock is session-level
        except SQLAlchemyError as exc:
            log.warning("scheduler lock: %s", exc)
            connection.close()
            return False
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def held(self) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
        except SQLAlchemyError:
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        with contextlib.suppress(SQLAlchemyError):
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self._connection.commit()
        self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                connection.close()

    def close(self) -> None:
        self.release()
        self._engine.dispose()


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"lock file {path}"
        self._fd: int | None = None
        self._inode: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return self.held()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd, self._inode = fd, os.fstat(fd).st_ino
        return True

    def held(self) -> bool:
        if self._fd is None:
            return False
        try:
            # Someone removed or replaced the file: another process could lock the new one.
            return os.stat(self.path).st_ino == self._inode
        except FileNotFoundError:
            return False

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def close(self) -> None:
        self.release()


def lock_path(settings: Settings) -> Path:
    if settings.scheduler_lock_file is not None:
        return settings.scheduler_lock_file
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            return Path(database + ".scheduler.lock")
    return settings.data_dir / "scheduler.lock"


def leader_lock(settings: Settings) -> LeaderLock:
    url = settings.effective_database_url
    if url.startswith("postgresql"):
        return PostgresLock(url)
    return FileLock(lock_path(settings))
