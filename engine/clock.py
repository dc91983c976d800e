"""Time: stored in UTC, shown and reasoned about in Europe/Paris (deadlines, submission dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    return datetime.now(UTC)


def paris_date(moment: datetime) -> date:
    """The calendar date in France at that moment (a submission at 23:30 UTC is the next day)."""
    return moment.astimezone(PARIS).date()


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes typed by French users mean Paris time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC)
