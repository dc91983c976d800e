"""French formatting of amounts, numbers, dates and percentages (Babel's fr_FR)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from engine.formatting import format_date, format_money, format_number, format_percent, plural

NNBSP = "\u202f"
NBSP = "\u00a0"


def test_an_amount_has_a_narrow_space_between_thousands_and_a_no_break_space_before_the_euro():
    assert format_money(Decimal("1234.5")) == f"1{NNBSP}234,50{NBSP}€"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("7", "7,00"),
        ("999.99", "999,99"),
        ("1000", f"1{NNBSP}000,00"),
        ("23000.00", f"23{NNBSP}000,00"),
        ("1234567.89", f"1{NNBSP}234{NNBSP}567,89"),
        ("1234567890.1", f"1{NNBSP}234{NNBSP}567{NNBSP}890,10"),
        ("1E+6", f"1{NNBSP}000{NNBSP}000,00"),
    ],
)
def test_large_and_small_amounts_are_grouped_by_three(amount, expected):
    assert format_money(Decimal(amount)) == f"{expected}{NBSP}€"


def test_zero_is_written_with_two_decimals_and_never_as_minus_zero():
    assert format_money(Decimal("0")) == f"0,00{NBSP}€"
    assert format_money(Decimal("-0.001")) == f"0,00{NBSP}€"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0,01"), ("0.004", "0,00"), ("2.675", "2,68"), ("1234.565", f"1{NNBSP}234,57")],
)
def test_amounts_are_rounded_half_up_to_the_cent(amount, expected):
    assert format_money(Decimal(amount)) == f"{expected}{NBSP}€"


def test_a_negative_amount_keeps_its_sign():
    assert format_money(Decimal("-1234.5")) == f"-1{NNBSP}234,50{NBSP}€"


def test_a_missing_amount_is_a_dash():
    assert format_money(None) == "—"


def test_a_float_is_refused_rather_than_rounded_wrongly():
    with pytest.raises(TypeError):
        format_money(2.675)  # type: ignore[arg-type]


def test_dates_are_written_with_the_month_in_words():
    assert format_date(date(2026, 11, 27)) == "27 novembre 2026"


def test_the_first_of_the_month_is_written_as_babel_writes_it_in_figures():
    assert format_date(date(2026, 12, 1)) == "1er décembre 2026"
    assert format_date(date(2026, 12, 2)) == "2 décembre 2026"


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


@pytest.mark.parametrize(("month", "name"), list(enumerate(MONTHS, start=1)))
def test_every_month_has_its_french_name(month, name):
    assert format_date(date(2026, month, 15)) == f"15 {name} 2026"


def test_a_datetime_is_shown_on_paris_clocks_with_hours_and_minutes():
    assert format_date(datetime(2026, 11, 27, 13, 30, tzinfo=UTC)) == ("27 novembre 2026 à 14 h 30")
    assert format_date(datetime(2026, 7, 1, 7, 5, tzinfo=UTC)) == "1er juillet 2026 à 9 h 05"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Summer time starts on 29 March 2026 at 01:00 UTC (02:00 → 03:00 in Paris).
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "29 mars 2026 à 1 h 30"),
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "29 mars 2026 à 3 h 30"),
        # It ends on 25 October 2026 at 01:00 UTC (03:00 → 02:00): 02:30 happens twice.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 octobre 2026 à 2 h 30"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 octobre 2026 à 2 h 30"),
        # Late evening UTC is already the next day in Paris.
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "1er décembre 2026 à 0 h 30"),
    ],
)
def test_paris_time_follows_the_daylight_saving_changes(utc, expected):
    assert format_date(utc) == expected


def test_a_naive_datetime_is_taken_as_utc_as_the_database_stores_it():
    assert format_date(datetime(2026, 6, 15, 12, 0)) == "15 juin 2026 à 14 h 00"


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        ("0.325", "32,5"),
        ("0.80", "80"),
        ("0.7", "70"),
        ("0.33333", "33,33"),
        ("0.66665", "66,67"),
        ("1.5", "150"),
        ("0", "0"),
    ],
)
def test_a_ratio_is_written_as_a_french_percentage(ratio, expected):
    assert format_percent(Decimal(ratio)) == f"{expected}{NBSP}%"


def test_babel_and_our_amounts_agree_character_for_character():
    from babel.numbers import format_currency

    assert format_money(Decimal("98765.4")) == format_currency(
        Decimal("98765.40"), "EUR", locale="fr_FR"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.5", "1,5"), ("2", "2"), ("1.50", "1,5"), ("1200", f"1{NNBSP}200"), ("0.125", "0,125")],
)
def test_a_quantity_has_a_decimal_comma_and_no_trailing_zeros(value, expected):
    assert format_number(Decimal(value)) == expected


def test_a_whole_count_is_written_without_decimals():
    assert format_number(3) == "3"


def test_a_float_quantity_is_refused():
    with pytest.raises(TypeError):
        format_number(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 groupe"), (1, "1 groupe"), (2, "2 groupes"), (3, "3 groupes")]
)
def test_a_count_takes_the_french_plural_from_two(count, expected):
    assert plural(count, "groupe") == expected


def test_an_irregular_plural_is_given_in_full():
    assert plural(2, "groupe éligible", "groupes éligibles") == "2 groupes éligibles"
