"""The story's calendar: seasons, action periods, committee days."""

from __future__ import annotations

from datetime import date, timedelta

SEASONS = {
    month: season
    for months, season in (
        ((12, 1, 2), "d'hiver"),
        ((3, 4, 5), "de printemps"),
        ((6, 7, 8), "d'été"),
        ((9, 10, 11), "d'automne"),
    )
    for month in months
}


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _weekday(day: date) -> date:
    """Committees meet on working days: a Saturday or Sunday moves to the Monday."""
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def civil_period(after: date) -> tuple[date, date]:
    """An action period within one civil year (G9), starting the month after `after`."""
    start = _next_month(after)
    if start.month >= 11:
        start = date(start.year + 1, 1, 4)
    return start, date(start.year, 12, 15)


def school_period(after: date) -> tuple[date, date]:
    """An action period within one school year (G9 for clas), starting the month after `after`."""
    start = _next_month(after)
    school_year = start.year if start.month >= 9 else start.year - 1
    if start > date(school_year + 1, 4, 1):
        school_year += 1
        start = date(school_year, 9, 14)
    return start, date(school_year + 1, 6, 30)
