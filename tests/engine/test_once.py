"""A cached reference computed once per process, however many threads ask for it at once."""

from __future__ import annotations

import threading
import time

from engine.once import once
from engine.rulebook.communes import current_communes


def test_sixteen_threads_asking_at_once_share_one_computation() -> None:
    calls: list[int] = []

    @once
    def slow(department: str) -> list[str]:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while it runs
        return [department]

    start = threading.Barrier(16)
    results: list[list[str]] = []

    def ask() -> None:
        start.wait()
        results.append(slow("38"))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 16 and all(r is results[0] for r in results)
    assert slow("73") == ["73"] and len(calls) == 2  # another argument: its own computation
    slow.cache_clear()
    assert slow("38") == ["38"] and len(calls) == 3


def test_the_communes_of_france_are_read_once_for_every_thread() -> None:
    current_communes.cache_clear()  # as at a server's start: nobody has read them yet
    seen: list[object] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        seen.append(current_communes())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and all(s is seen[0] for s in seen)
    assert len(seen[0]) > 34_000  # type: ignore[arg-type]
