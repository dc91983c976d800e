"""French display formatting of amounts, numbers, dates and percentages, for letters, pages,
emails and rule messages, through Babel's `fr_FR` locale.

Babel writes U+202F (narrow no-break space) between thousands and U+00A0 before `€` and `%`;
the PDFs turn U+202F into U+00A0 (engine/documents/fonts.py `pdf_text`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal
from babel.numbers import format_percent as _babel_percent

LOCALE = "fr_FR"
# Parsed once: given the string, Babel parses it again in every helper a call goes through
# (six times per amount), about half the cost of `format_money` (bench/PROFILE.md, "Letters").
_LOCALE = Locale.parse(LOCALE)
NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
PARIS = ZoneInfo("Europe/Paris")
_CENT = Decimal("0.01")
# Python's `,` (thousands) and `.` (decimals) to the French U+202F and `,`.
_MONEY_SEPARATORS = str.maketrans({",": NARROW_NBSP, ".": ","})
# At most two decimals, none when the number is whole: `32,5 %`, `80 %`.
_PERCENT_PATTERN = "#,##0.##\u00a0%"
_NUMBER_PATTERN = "#,##0.###"


def _require_decimal(value: object) -> Decimal:
    # A float here would already have lost cents (0.1 + 0.2); refuse it rather than hide it.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"expected a Decimal, got {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError("expected a finite number")
    return number


def _no_minus_zero(value: Decimal) -> Decimal:
    return abs(value) if value.is_zero() else value


def format_money(amount: Decimal | None) -> str:
    """`1 234,50 €`, rounded half-up to the cent; `—` when there is no amount."""
    if amount is None:
        return "—"
    cents = _no_minus_zero(_require_decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP))
    # Babel's fr_FR currency pattern (`#,##0.00 ¤`) written out: the same string as
    # `format_currency(cents, "EUR", locale="fr_FR")` (tests/engine/test_money_format.py checks
    # it against Babel), ten times faster; a letter prints about seven amounts.
    return f"{cents:,.2f}".translate(_MONEY_SEPARATORS) + f"{NBSP}€"


def format_number(value: Decimal | int) -> str:
    """A quantity the French way: `1,5`, `1 200`, at most three decimals (`1,5 ETP`)."""
    number = _no_minus_zero(_require_decimal(value))
    return format_decimal(number, format=_NUMBER_PATTERN, locale=_LOCALE)


def format_percent(ratio: Decimal) -> str:
    """A ratio as a French percentage: `Decimal("0.325")` → `32,5 %` (at most two decimals,
    rounded half-up)."""
    scaled = (_require_decimal(ratio) * 100).quantize(_CENT, rounding=ROUND_HALF_UP)
    value = _no_minus_zero(scaled) / 100
    return _babel_percent(value, format=_PERCENT_PATTERN, locale=_LOCALE)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 groupe`, `3 groupes`, `0 groupe` (French: plural from two)."""
    noun = singular if abs(count) < 2 else (plural_form or f"{singular}s")
    return f"{format_number(count)} {noun}"


def to_paris(moment: datetime) -> datetime:
    """The same instant on Paris clocks; a naive datetime is taken as UTC (as stored)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(PARIS)


def format_date(moment: date | datetime) -> str:
    """`27 novembre 2026`; a datetime adds the Paris time `à 14 h 30`."""
    if isinstance(moment, datetime):
        local = to_paris(moment)
        return f"{_day_month_year(local.date())} à {local.hour} h {local.minute:02d}"
    return _day_month_year(moment)


def _day_month_year(day: date) -> str:
    # Babel writes `1 décembre`; French usage (Lexique de l'Imprimerie nationale) is `1er`.
    text = _babel_date(day, format="long", locale=_LOCALE)
    return f"1er{text[1:]}" if day.day == 1 else text
