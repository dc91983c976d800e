"""The final report's due date and figures, without the HTTP API: the end of the action plus
`report.delay_months`, same day of the month or its last day; charges that add up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.models import Application
from engine.rulebook import InvalidInput
from engine.services.report_figures import Figures, Line, check, due_date, gap


def ending(day: str) -> Application:
    return Application(
        call_id=1, organisation_id=1, created_by=1, title="t", data={"period": {"end": day}}
    )


@pytest.mark.parametrize(
    ("end", "due"),
    [
        ("2027-12-15", date(2028, 6, 15)),
        ("2027-08-31", date(2028, 2, 29)),  # clamped to the month's last day (leap year)
        ("2026-08-31", date(2027, 2, 28)),
        ("2027-06-30", date(2027, 12, 30)),
    ],
)
def test_the_report_is_due_six_months_after_the_end_of_the_action(end: str, due: date) -> None:
    assert due_date(ending(end)) == due


def test_the_charges_must_add_up_to_the_actual_total_cost() -> None:
    lines = [
        Line("Salaires", "charge", Decimal("100.00"), Decimal("80.00")),
        Line("Caf", "income", Decimal("50.00"), Decimal("50.00")),
    ]
    check(Figures(Decimal("80.00"), Decimal("0.00"), lines))
    with pytest.raises(InvalidInput) as refused:
        check(Figures(Decimal("90.00"), Decimal("0.00"), lines))
    assert [e.field for e in refused.value.errors] == ["lines"]
    with pytest.raises(InvalidInput) as refused:
        check(Figures(Decimal("80.001"), Decimal("-1.00"), lines))
    assert {e.field for e in refused.value.errors} == {
        "actual_total_cost",
        "actual_other_resources",
    }


def test_the_gap_is_in_euros_and_in_percent_of_the_forecast() -> None:
    assert gap(Decimal("4000.00"), Decimal("3900.00")) == (Decimal("-100.00"), Decimal("-2.5"))
    assert gap(Decimal("0.00"), Decimal("10.00")) == (Decimal("10.00"), None)
