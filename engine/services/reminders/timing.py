"""Delays on Paris clocks: "7 days before 31 March 2026 at 12:00" is 24 March at 12:00 in Paris,
167 hours earlier, since the clocks go forward in between. Instants are stored in UTC."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from engine.clock import PARIS


def days_before(moment: datetime, days: int) -> datetime:
    """`days` calendar days before `moment` on Paris clocks, as a UTC instant."""
    return (moment.astimezone(PARIS) - timedelta(days=days)).astimezone(UTC)


def paris_moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """Same day `months` later, or the month's last day (31 August + 6 months = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def nearest_step(
    moment: datetime, deadline: datetime, starts: Iterable[tuple[int, datetime]]
) -> int | None:
    """The step (days before) whose time has come, nearest the deadline; None before or after.

    `starts` pairs each step with the instant it starts."""
    if moment >= deadline:
        return None
    due = [step for step, start in starts if start <= moment]
    return min(due) if due else None


def stamp_of(moment: datetime) -> int:
    return int(moment.timestamp())
