"""Time: stored in UTC, shown and reasoned about in Europe/Paris (deadlines, submission dates)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
_frozen: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)


def now() -> datetime:
    frozen = _frozen.get()
    return frozen if frozen is not None else datetime.now(UTC)


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Act as if it were `moment` (demo history, replaying past deadlines)."""
    token = _frozen.set(as_utc(moment))
    try:
        yield
    finally:
        _frozen.reset(token)


def paris_date(moment: datetime) -> date:
    """The calendar date in France at that moment (a submission at 23:30 UTC is the next day)."""
    return moment.astimezone(PARIS).date()


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes typed by French users mean Paris time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC)
