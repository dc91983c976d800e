"""French display formatting of amounts, dates and percentages, for letters, pages and emails.

Hand-written instead of Babel: the few rules we need are the ones Babel's `fr_FR` applies
(U+202F between thousands, a decimal comma, U+00A0 before `€` and `%`), and they are tested here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
PARIS = ZoneInfo("Europe/Paris")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def _group_thousands(digits: str) -> str:
    """`1234567` → `1 234 567` with narrow no-break spaces."""
    head = len(digits) % 3 or 3
    groups = [digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))]
    return NARROW_NBSP.join(groups)


def _french_number(value: Decimal) -> str:
    """A finite decimal written the French way, keeping the places it has."""
    sign = "-" if value < 0 else ""
    units, _, decimals = f"{abs(value):f}".partition(".")
    text = sign + _group_thousands(units)
    return f"{text},{decimals}" if decimals else text


def _require_decimal(value: object) -> Decimal:
    # A float here would already have lost cents (0.1 + 0.2); refuse it rather than hide it.
    if not isinstance(value, Decimal):
        raise TypeError(f"expected a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError("expected a finite amount")
    return value


def format_money(amount: Decimal | None) -> str:
    """`1 234,50 €`, rounded half-up to the cent; `—` when there is no amount."""
    if amount is None:
        return "—"
    cents = _require_decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)
    if cents.is_zero():
        cents = abs(cents)  # never print "-0,00 €"
    return f"{_french_number(cents)}{NBSP}€"


def format_percent(ratio: Decimal) -> str:
    """A ratio as a French percentage: `Decimal("0.325")` → `32,5 %` (at most two decimals)."""
    value = (_require_decimal(ratio) * _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)
    if value.is_zero():
        value = abs(value)
    text = _french_number(value)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return f"{text}{NBSP}%"


def to_paris(moment: datetime) -> datetime:
    """The same instant on Paris clocks; a naive datetime is taken as UTC (as stored)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(PARIS)


def format_date(moment: date | datetime) -> str:
    """`27 novembre 2026`, `1er décembre 2026`; a datetime adds the Paris time `à 14 h 30`."""
    if isinstance(moment, datetime):
        local = to_paris(moment)
        return f"{_day_month_year(local.date())} à {local.hour} h {local.minute:02d}"
    return _day_month_year(moment)


def _day_month_year(day: date) -> str:
    ordinal = "1er" if day.day == 1 else str(day.day)
    return f"{ordinal} {MONTHS[day.month - 1]} {day.year}"
