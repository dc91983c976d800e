"""Worker processes that die with the process that started them.

The PDF workers (engine/services/letters.py) are forked by multiprocessing's forkserver, not by
the server: when the server is killed (SIGKILL, the OOM killer), nothing tells them. They would
stay, and with them the forkserver and the resource tracker, which wait for the workers' ends of
their pipes. So each worker watches the server: `start_watching` (the pool's initializer) starts
a thread that ends the worker as soon as the server is gone; the forkserver and the resource
tracker then read end-of-file and exit by themselves.

On Linux the thread waits on a pidfd (woken the moment the server dies); elsewhere it polls every
half second. A pid can be reused by a new process once its owner has died: the server's start
time (from /proc) is checked too, where there is one.
"""

from __future__ import annotations

import os
import select
import threading
import time
from dataclasses import dataclass

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Parent:
    """A process, told apart from a later one with the same pid by its start time."""

    pid: int
    started: int | None  # clock ticks after boot (/proc/<pid>/stat), None without /proc

    @classmethod
    def current(cls) -> Parent:
        pid = os.getpid()
        return cls(pid, start_time(pid))

    def is_alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # alive, but another user's: the pid was reused
            return False
        stat = _stat(self.pid)
        if stat is None:
            return self.started is None  # no /proc here: the signal is all there is to know
        state, started = stat
        # A zombie has ended (it waits for its parent to read its status).
        return state not in (b"Z", b"X") and started == self.started


def start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot), or None without /proc or process."""
    stat = _stat(pid)
    return None if stat is None else stat[1]


def _stat(pid: int) -> tuple[bytes, int] | None:
    """The state and the start time of a process (proc(5), fields 3 and 22)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return fields[0], int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def start_watching(parent: Parent) -> None:
    """In a worker process: end it (os._exit) when `parent` is gone."""
    threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()


def _watch(parent: Parent) -> None:
    pidfd = _open_pidfd(parent.pid)
    try:
        # Opened first, checked second: if the start time still matches, the pidfd is the
        # parent's (a pidfd never moves to another process).
        if not parent.is_alive():
            os._exit(1)
        if pidfd is not None:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            while not poller.poll():  # readable when the process has ended
                pass
            os._exit(1)
        while parent.is_alive():
            time.sleep(POLL_SECONDS)
        os._exit(1)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _open_pidfd(pid: int) -> int | None:
    opener = getattr(os, "pidfd_open", None)  # Linux 5.3 and later
    if opener is None:
        return None
    try:
        return int(opener(pid))
    except ProcessLookupError:
        os._exit(1)  # already gone
    except OSError:  # not supported by this kernel, or refused: poll instead
        return None
