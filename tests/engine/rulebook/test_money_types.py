"""Money and fact types: Decimal only, two decimals, never a float or a boolean in disguise."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from engine.rulebook import Count, Day, Flag, Money, Quantity, Ratio, round_cents
from engine.rulebook.money import euros, money_str, percent, to_decimal, to_money

MONEY = TypeAdapter(Money)


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_refused_as_money(value: bool) -> None:
    with pytest.raises(ValueError, match="Saisissez un nombre"):
        to_money(value)
    with pytest.raises(ValidationError):
        MONEY.validate_python(value)


@pytest.mark.parametrize("value", [0.105, 12.345, 1e-3, "1.001", Decimal("0.125")])
def test_amounts_with_more_than_two_decimals_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="Au plus 2 chiffres après la virgule"):
        to_money(value)
    with pytest.raises(ValidationError):
        MONEY.validate_python(value)


@pytest.mark.parametrize("value", ["-0.01", -1, -0.5, Decimal("-3")])
def test_negative_amounts_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="ne peut pas être négati"):
        to_money(value)


@pytest.mark.parametrize("value", ["", "  ", "abc", "NaN", "Infinity", "1e400", None, [1], {}])
def test_things_that_are_not_finite_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        to_money(value)


def test_absurdly_large_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="trop élevé"):
        to_money("10000000000.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", "5.00"),
        (5, "5.00"),
        (12.5, "12.50"),
        (0.1, "0.10"),
        ("7886.15", "7886.15"),
        ("3.1", "3.10"),
        ("0", "0.00"),
        ("0007", "7.00"),
        (Decimal("0"), "0.00"),
        (0.0, "0.00"),
    ],
)
def test_valid_amounts_become_decimals_with_two_places(value: object, expected: str) -> None:
    amount = to_money(value)
    assert isinstance(amount, Decimal)
    assert str(amount) == expected


# Text that `Decimal()` (or `int()`) would read as a number, and money must not.
MONEY_JUNK = [
    "1_000",  # digit grouping
    " 12 ",  # surrounding spaces
    "12 ",
    "\t12",
    "1 000",
    "\u0661\u0662",  # Arabic-Indic digits: `Decimal("١٢")` is 12
    "\uff11\uff12",  # full-width digits
    "1e3",  # an exponent
    "1E+2",
    "+12",  # a sign where none is allowed
    "-0",  # negative zero, in every spelling
    "-0.00",
    "-0.0",
    "12.",  # a point without decimals, decimals without units
    ".5",
    "12,50",  # the French comma is the pages' business (api/pages/files.py)
    "0x10",
    "12.345",  # three decimals
    "Infinity",
    "nan",
]


@pytest.mark.parametrize("value", MONEY_JUNK)
def test_money_text_is_ascii_digits_with_at_most_two_decimals_and_nothing_else(
    value: str,
) -> None:
    with pytest.raises(ValueError):
        to_money(value)
    with pytest.raises(ValidationError) as refused:
        MONEY.validate_python(value)
    assert refused.value.errors()[0]["loc"] == ()


@pytest.mark.parametrize("value", [-0.0, Decimal("-0"), Decimal("-0.00")])
def test_a_negative_zero_is_refused_as_money_whatever_its_type(value: object) -> None:
    with pytest.raises(ValueError, match="ne peut pas être négati"):
        to_money(value)


def test_a_negative_zero_elsewhere_comes_back_as_a_plain_zero() -> None:
    """Ratios and quantities are read by `to_decimal`: `-0` is zero there, never `-0`."""
    for value in ("-0", "-0.000", -0.0, Decimal("-0.00")):
        number = to_decimal(value)
        assert number == 0 and not number.is_signed(), value
        assert not TypeAdapter(Ratio).validate_python(value).is_signed()
        assert not TypeAdapter(Quantity).validate_python(value).is_signed()
    assert str(to_money(0)) == "0.00" and str(to_money("0.00")) == "0.00"


@pytest.mark.parametrize("value", ["\u0661", "1_0", " 0.5", "5e-1", "+0.5"])
def test_other_numbers_typed_as_text_follow_the_same_spelling(value: str) -> None:
    with pytest.raises(ValueError, match=r"Saisissez un nombre \(par exemple"):
        to_decimal(value)


def test_the_openapi_schema_of_money_says_what_text_is_accepted() -> None:
    schema = TypeAdapter(Money).json_schema()
    text = next(s for s in schema["anyOf"] if s["type"] == "string")
    number = next(s for s in schema["anyOf"] if s["type"] == "number")
    pattern = re.compile(text["pattern"])
    assert all(pattern.search(v) for v in ("0", "12", "12.3", "12.30", "007"))
    assert not any(pattern.search(v) for v in MONEY_JUNK)
    assert number["minimum"] == 0


def test_a_float_is_read_through_its_shortest_text_not_its_binary_value() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(0.6) == Decimal("0.6")


def test_money_serialises_to_json_as_a_string_with_cents() -> None:
    assert MONEY.dump_json(MONEY.validate_python("1234.5")) == b'"1234.50"'
    assert money_str(Decimal("3")) == "3.00"
    assert money_str(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.675", "2.68"),
        ("2.665", "2.67"),
        ("2562.99875", "2563.00"),
        ("975.325", "975.33"),
        ("0.005", "0.01"),
        ("0.004999", "0.00"),
    ],
)
def test_round_cents_rounds_half_up(value: str, expected: str) -> None:
    assert str(round_cents(Decimal(value))) == expected


def test_amounts_and_ratios_are_formatted_the_french_way() -> None:
    assert euros(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert percent(Decimal("0.325")) == "32,5\u00a0%"


@pytest.mark.parametrize("value", [True, "1.2", 1.01, "-0.1", "abc"])
def test_ratios_outside_zero_to_one_or_not_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Ratio).validate_python(value)


@pytest.mark.parametrize(("value", "expected"), [(0.325, "0.325"), ("0", "0"), (1, "1")])
def test_ratios_are_exact_decimals(value: object, expected: str) -> None:
    assert TypeAdapter(Ratio).validate_python(value) == Decimal(expected)


@pytest.mark.parametrize("value", [True, 2.0, "3", -1, None])
def test_counts_are_whole_non_negative_numbers_only(value: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Count).validate_python(value)


@pytest.mark.parametrize("value", [1, 0, "true", "yes", None])
def test_flags_are_true_or_false_only(value: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Flag).validate_python(value)


@pytest.mark.parametrize("value", [False, "-1", "0.00001"])
def test_quantities_refuse_booleans_negatives_and_excess_precision(value: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Quantity).validate_python(value)


@pytest.mark.parametrize("value", ["2025-13-01", "2025-02-30", "20 janvier 2025", 20250120, ""])
def test_malformed_days_are_refused(value: Any) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Day).validate_python(value)


def test_days_accept_iso_text_and_dates() -> None:
    assert TypeAdapter(Day).validate_python("2025-01-20") == date(2025, 1, 20)
    assert TypeAdapter(Day).validate_python(date(2025, 1, 20)) == date(2025, 1, 20)
