"""The Jinja filters of the pages (api/pages/filters.py): French amounts, numbers, dates and
percentages through Babel, references kept on one line, values read by the rules in words."""

from datetime import date
from decimal import Decimal

from api.pages import web
from api.pages.filters import day, fact, money, percent, quantity, ref

NNBSP = "\u202f"
NBSP = "\u00a0"


def test_json_money_is_shown_the_french_way():
    assert money("1234.5") == f"1{NNBSP}234,50{NBSP}€"
    assert money(Decimal("0")) == f"0,00{NBSP}€"
    assert money(None) == money("") == "—"


def test_a_quantity_has_a_decimal_comma():
    assert quantity("1.5") == "1,5"
    assert quantity(Decimal("12000")) == f"12{NNBSP}000"
    assert quantity(None) == "—"


def test_dates_and_percentages_are_french():
    assert day("2026-11-27") == "27 novembre 2026"
    assert day(date(2026, 12, 1)) == "1er décembre 2026"
    assert day(None) == "—"
    assert percent("0.325") == f"32,5{NBSP}%"


def test_a_reference_is_kept_on_one_line_and_escaped():
    assert str(ref("MEDIATION_FAMILIALE-2026-00013")) == (
        '<span class="cf-ref">MEDIATION_FAMILIALE-2026-00013</span>'
    )
    assert str(ref("<b>")) == '<span class="cf-ref">&lt;b&gt;</span>'
    assert str(ref(None)) == "—"
    assert str(ref("", "Brouillon, pas encore déposé")) == "Brouillon, pas encore déposé"


def test_values_read_by_the_rules_are_shown_in_french_words():
    assert fact(True) == "oui"
    assert fact(False) == "non"
    assert fact("1.5") == "1,5"
    assert fact([1, 2]) == "1, 2"
    assert fact(None) == "—"
    assert fact("famille") == "famille"


def test_the_filters_are_installed_and_still_importable_from_web():
    for name in ("money", "day", "percent", "quantity", "state_label", "badge_class", "iso_input"):
        assert name in web.templates.env.filters
    assert web.money is money
    assert web.state_label("draft") == "Brouillon"
