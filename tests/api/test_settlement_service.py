"""The settlement service (engine/services/settlements.py) driven directly: the rounding
remainder through stored rows, a plan with nothing left to pay closing at once, and a second
call changing nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import select

from engine import models
from engine.access import SYSTEM
from engine.services import settlements
from tests.api.test_settlement import MEMBER, pay, payments

EQUAL = {"caf": "1000.00", "departement": "1000.00", "grenoble": "1000.00"}


def notified(api: Any, granted: dict[str, str], cost: str) -> int:
    api.ok(api.patch("admin", "/funders/grenoble", json={"advance_rate": "1.00"}))
    call = api.call(dict.fromkeys(granted, "50000.00"))
    body = api.body(
        budget={"total_cost": cost, "investment_costs": "0", "other_resources": "0.00"},
        requests=granted,
    )
    application = api.eligible(call["id"], body)
    meeting = api.open_session(call["id"], [application["id"]])
    for funder, amount in granted.items():
        api.ok(api.decide(meeting["id"], application["id"], funder, "granted", amount), 201)
    api.move(meeting["id"], "close")
    return int(application["id"])


class Report:
    """The figures the settlement reads of an approved report."""

    def __init__(self, cost: str) -> None:
        self.id = None
        self.actual_total_cost = Decimal(cost)
        self.actual_other_resources = Decimal("0.00")


def test_three_equal_shares_and_an_excess_of_100_give_the_odd_cent_to_the_lowest_code(
    api: Any,
) -> None:
    aid = notified(api, EQUAL, "3000.00")
    with api.db.transaction() as session:
        application = session.get(models.Application, aid)
        assert application is not None
        row = settlements.settle(session, application, Report("2900.00"), {}, SYSTEM)
        assert application.state == "settled"
    reductions = {line["funder"]: line["reduction"] for line in row.lines}
    assert reductions == {"caf": "33.34", "departement": "33.33", "grenoble": "33.33"}
    assert row.excess == Decimal("100.00")
    assert row.trace["remainder_order"][0] == "caf"
    # The commune had paid everything: 33,33 € to recover.
    due = {(p["funder"], p["kind"]): p["amount"] for p in payments(api, aid)}
    assert due[("grenoble", "recovery")] == "33.33"
    assert due[("caf", "balance")] == "266.66"  # 1 000 − 33,34 − 700 advance


def test_with_nothing_left_to_pay_the_settlement_closes_the_file_and_runs_once(api: Any) -> None:
    aid = notified(api, {"grenoble": "1500.00"}, "1500.00")
    (advance,) = payments(api, aid)
    pay(api, advance, "grenoble")
    with api.db.transaction() as session:
        application = session.get(models.Application, aid)
        assert application is not None
        first = settlements.settle(session, application, Report("1500.00"), {}, SYSTEM)
        assert application.state == "closed"
        again = settlements.settle(session, application, Report("1000.00"), {}, SYSTEM)
        assert again.id == first.id and again.excess == Decimal("0.00")
    with api.db.reading() as session:
        letters = session.exec(select(models.Letter).where(models.Letter.application_id == aid))
        kinds = sorted(letter.kind for letter in letters if "settlement" in letter.kind)
    assert kinds == ["settlement", "settlement_funder"]
    assert MEMBER["grenoble"] == "ville1"
