"""The rule messages' French numbers (engine.rulebook.money) are written as Babel writes them.

`euros`, `percent`, `number` and `count` write the usual numbers directly, for speed (bench
rules_eval); whatever they write must be exactly what engine.formatting (Babel's fr_FR) writes.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.formatting import format_money, format_number, format_percent, plural
from engine.rulebook.money import count, euros, number, percent

SAMPLES = [
    "0",
    "-0",
    "0.00",
    "-0.00",
    "0E+5",
    "0.001",
    "0.005",
    "0.015",
    "0.5",
    "1",
    "1.5",
    "1.50",
    "1.0005",
    "1.0015",
    "12",
    "999.995",
    "999.994",
    "1000",
    "1E+3",
    "1E+5",
    "2.5E-7",
    "1234567.5",
    "0.325",
    "0.3333333",
    "0.000025",
    "0.999995",
    "1.2345",
    "99999999999999.99",
    "999999999999999.999",
    "1E+15",
    "1E+20",
    "-1",
    "-0.001",
    "-1234.5",
    "-0.000025",
]
decimals = st.decimals(
    min_value=Decimal("-1e16"), max_value=Decimal("1e16"), allow_nan=False, places=None
)


@pytest.mark.parametrize("text", SAMPLES)
def test_chosen_numbers_are_written_as_babel_writes_them(text: str) -> None:
    value = Decimal(text)
    assert euros(value) == format_money(value)
    assert percent(value) == format_percent(value)
    assert number(value) == format_number(value)


@settings(max_examples=500, deadline=None)
@given(st.one_of(decimals, st.integers(min_value=-(10**17), max_value=10**17)))
def test_any_number_is_written_as_babel_writes_it(value: Decimal | int) -> None:
    assert euros(Decimal(value)) == format_money(Decimal(value))
    assert percent(Decimal(value)) == format_percent(Decimal(value))
    assert number(value) == format_number(value)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**7), max_value=10**7))
def test_counts_are_written_as_babel_writes_them(value: int) -> None:
    assert count(value, "groupe") == plural(value, "groupe")
    assert count(value, "cheval", "chevaux") == plural(value, "cheval", "chevaux")


@pytest.mark.parametrize("value", [True, 1.5, "1"])
def test_what_babel_refuses_is_still_refused(value: object) -> None:
    for function in (euros, percent, number):
        with pytest.raises(TypeError):
            function(value)  # type: ignore[arg-type]
