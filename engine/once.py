"""`once`: a result computed once per process, even when many threads ask for it at the same time.

`functools.cache` lets every thread that misses compute its own copy: the server's first eight
concurrent submissions each read the 35 000 communes of France (tens of MB each) and the rule
registry, and its memory peaked at 470 MB where one copy takes 140. Here the first caller computes
while the others wait for its result; later calls read it without taking the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from functools import update_wrapper
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class _Once(Generic[P, R]):
    def __init__(self, function: Callable[P, R]) -> None:
        self._function = function
        self._results: dict[Hashable, R] = {}
        self._lock = threading.Lock()
        update_wrapper(self, function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        try:
            return self._results[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._results:
                self._results[key] = self._function(*args, **kwargs)
            return self._results[key]

    def cache_clear(self) -> None:
        with self._lock:
            self._results.clear()


def once(function: Callable[P, R]) -> _Once[P, R]:
    return _Once(function)
