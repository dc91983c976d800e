"""The open-data rows' derived columns: the payment period, the object cut to the schema's 256
characters, a formula never written as such, and the year checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.models import Application, Payment
from engine.rulebook import InvalidInput
from engine.services.opendata import _inert, _shortened, check_year, payment_period

DECIDED = date(2027, 3, 10)


def application(end: str | None = "2027-12-15") -> Application:
    period = {"start": "2027-02-01", "end": end} if end else {}
    return Application(
        call_id=1, organisation_id=1, created_by=1, title="T", data={"period": period}
    )


def payment(kind: str, due: date | None = None, paid: date | None = None) -> Payment:
    return Payment(
        application_id=1,
        share_id=1,
        funder_id=1,
        kind=kind,
        amount=Decimal("100.00"),
        due_on=due,
        paid_on=paid,
    )


def test_before_any_payment_the_period_runs_from_the_decision_to_the_actions_end() -> None:
    assert payment_period(application(), DECIDED, []) == "2027-03-10/2027-12-15"


def test_without_an_end_of_action_the_period_is_the_decisions_day() -> None:
    assert payment_period(application(None), DECIDED, []) == "2027-03-10/2027-03-10"


def test_an_advance_due_and_a_balance_to_come_run_from_the_advance_to_the_actions_end() -> None:
    payments = [payment("advance", due=date(2027, 4, 1)), payment("balance")]
    assert payment_period(application(), DECIDED, payments) == "2027-04-01/2027-12-15"


def test_both_paid_run_from_the_first_payment_to_the_last() -> None:
    payments = [
        payment("advance", due=date(2027, 4, 1), paid=date(2027, 4, 5)),
        payment("balance", due=date(2028, 5, 2), paid=date(2028, 5, 20)),
    ]
    assert payment_period(application(), DECIDED, payments) == "2027-04-05/2028-05-20"


def test_a_single_payment_made_is_its_day() -> None:
    payments = [payment("advance", due=date(2027, 4, 1), paid=date(2027, 4, 5))]
    assert payment_period(application(), DECIDED, payments) == "2027-04-05"


def test_a_long_title_is_cut_to_the_schemas_256_characters() -> None:
    cut = _shortened("Atelier " * 60, 256)
    assert len(cut) == 256 and cut.endswith("…")
    assert _shortened("  Café   des parents ", 256) == "Café des parents"


def test_a_title_a_spreadsheet_would_run_is_written_as_text() -> None:
    assert _inert("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _inert("Café") == "Café"


@pytest.mark.parametrize("year", [1999, 2101, -1])
def test_a_year_outside_2000_to_2100_names_year(year: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_year(year)
    assert [e.field for e in refused.value.errors] == ["year"]
