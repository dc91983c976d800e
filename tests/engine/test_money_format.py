"""`format_money` writes Babel's fr_FR currency format itself: the same string, checked here."""

from decimal import Decimal

from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from engine.formatting import format_money


@given(st.decimals(min_value=-(10**13), max_value=10**13, places=2, allow_nan=False))
def test_format_money_is_babels_french_currency_format(amount: Decimal) -> None:
    expected = format_currency(abs(amount) if amount.is_zero() else amount, "EUR", locale="fr_FR")
    assert format_money(amount) == expected


def test_format_money_rounds_half_up_and_prints_no_minus_zero() -> None:
    assert format_money(Decimal("1234.505")) == "1\u202f234,51\u00a0€"
    assert format_money(Decimal("-0.001")) == "0,00\u00a0€"
    assert format_money(None) == "—"
