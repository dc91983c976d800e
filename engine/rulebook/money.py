"""Money and ratio values: Decimal only, rounded half-up to the cent, never a float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from engine.formatting import format_money, format_number, format_percent, plural
from engine.messages import invalid

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_cents(value: Decimal) -> Decimal:
    """Round a computed amount to the cent, half-up, as French public accounting does."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# The one spelling of a number typed as text: ASCII digits, an optional leading minus, an
# optional point followed by digits. No spaces, no `_`, no exponent, no `+`, no other script's
# digits (`Decimal()` and `int()` accept all of these, and `١٢` is twelve to them).
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
MONEY_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"
"""The JSON Schema pattern of an amount written as text (the OpenAPI shows it)."""
MONEY_LIMIT = Decimal("1e10")  # Numeric(12, 2) holds up to 9 999 999 999.99
_PLAIN_MONEY = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")


def _parse(value: object, max_places: int | None) -> Decimal:
    """The number as written (a negative zero keeps its sign), or ValueError saying why not."""
    if isinstance(value, bool) or value is None:
        raise invalid("number_expected")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        if not value:
            raise invalid("number_expected")
        if not _NUMBER.fullmatch(value):
            raise invalid("not_a_number")
        result = Decimal(value)
    else:
        raise invalid("number_expected")
    if not result.is_finite():
        raise invalid("number_expected")
    exponent = result.as_tuple().exponent
    if max_places is not None and isinstance(exponent, int) and -exponent > max_places:
        raise invalid("decimal_places", places=max_places)
    return result


def to_decimal(value: object, *, max_places: int | None = None) -> Decimal:
    """Parse a user-supplied number without ever going through binary floating point.

    Booleans are refused (pydantic and YAML both turn `false` into 0 otherwise); floats are
    read through their shortest decimal representation so that `0.6` stays `0.6`; text must be
    plain ASCII digits (see `_NUMBER`). A negative zero comes back as zero: `-0.00` is never
    stored nor shown.
    """
    result = _parse(value, max_places)
    return result.copy_abs() if result.is_zero() else result


def to_money(value: object) -> Decimal:
    """A non-negative amount in euros with at most two decimals, normalised to two places.

    Every amount that comes in goes through here (the `Money` type of the input models, the
    pages' French amounts, the rule cases): negative amounts, `-0` included, are refused.
    """
    if type(value) is str and _PLAIN_MONEY.fullmatch(value):
        # The usual amount, `1234.50`: what the checks below would accept, without them.
        plain = Decimal(value)
        if plain < MONEY_LIMIT:
            return plain.quantize(CENT)
    amount = _parse(value, 2)
    if amount.is_signed():
        raise invalid("negative_amount")
    if amount >= MONEY_LIMIT:
        raise invalid("amount_too_large")

    return amount.quantize(CENT)


def money_str(value: Decimal | None) -> str | None:
    """The JSON form of an amount: a string with two decimals (or null)."""
    return None if value is None else str(round_cents(value))


# Rule messages write a few numbers per evaluation, and Babel spent some 60 µs on an amount and
# 20 µs on a percentage (locale lookups, pattern parsing, plural rules), half the time of an
# evaluation (bench/PROFILE.md, "Rules"): the usual case, a non-negative number with few
# digits, is written here directly, exactly as Babel's fr_FR writes it (`1 234,50 €`: U+202F
# between thousands, U+00A0 before the sign; tests/engine/rulebook/test_money_text.py checks
# both agree). Anything else (negative, many digits, a type Babel refuses) goes to Babel.
_FAST_LIMIT = Decimal("1e15")


def _fast(value: object) -> Decimal | None:
    """`value` when the direct writing applies: a finite, non-negative Decimal or int (never a
    bool) below `_FAST_LIMIT`."""
    if type(value) is int:
        value = Decimal(value)
    if type(value) is not Decimal or not value.is_finite():
        return None
    if value.is_zero():
        return ZERO  # never `-0`
    return value if ZERO < value < _FAST_LIMIT else None


def _grouped(value: Decimal, places: int) -> str:
    """`value` (non-negative, with at most `places` decimals) with Babel's fr_FR separators and
    its fraction's trailing zeros dropped (patterns `#,##0.##`, `#,##0.###`)."""
    return _french(format(value, f",.{places}f").rstrip("0").rstrip("."))


def _french(written: str) -> str:
    """`1,234.5` (Python's grouping) written the French way: `1 234,5` (U+202F)."""
    return written.replace(",", "\u202f").replace(".", ",")


def euros(value: Decimal) -> str:
    """An amount as French text for rule messages: `1 234,50 €` (Babel's fr_FR)."""
    fast = _fast(value)
    if fast is None:
        return format_money(value)
    cents = fast.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{_french(format(cents, ',.2f'))}\u00a0€"


def percent(value: Decimal) -> str:
    """A ratio as French text: Decimal('0.325') → `32,5 %`."""
    fast = _fast(value)
    if fast is None:
        return format_percent(value)
    # As format_percent: rounded half-up to two decimals of the percentage.
    scaled = (fast * 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{_grouped(scaled, 2)}\u00a0%"


def number(value: Decimal | int) -> str:
    """A quantity as French text for rule messages: Decimal('1.5') → `1,5` (`1,5 ETP`)."""
    fast = _fast(value)
    exponent = fast.as_tuple().exponent if fast is not None else None
    # More than three decimals: Babel rounds them (half-even), let it.
    if fast is None or not isinstance(exponent, int) or exponent < -3:
        return format_number(value)
    return _grouped(fast, 3)


def count(value: int, singular: str, plural_form: str | None = None) -> str:
    """`1 groupe`, `3 groupes`: a count with its noun in the right number."""
    if type(value) is not int or value < 0:
        return plural(value, singular, plural_form)
    noun = singular if value < 2 else (plural_form or f"{singular}s")
    return f"{number(value)} {noun}"
