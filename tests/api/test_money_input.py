"""Every amount that comes in is read by one strict type (`Money`, engine/rulebook/types.py).

As text: ASCII digits, at most two decimals, nothing else. `Decimal()` would read `1_000`,
` 12 `, `١٢` (Arabic-Indic digits), `1e3` and `-0`; the API must not, and a negative zero
must never be stored nor audited as `-0.00`. `api.invalid` checks the 422, the field named, and
that no row, event or file changed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import SQLModel

JUNK = ["1_000", " 12 ", "12 ", "\u0661\u0662", "1e3", "+12", "12.345", "12.", True, False]
NEGATIVE_ZEROS = ["-0", "-0.00", "-0.0", -0.0]
# A negative zero written in text or JSON: `-0`, `-0.00`, not inside a word, a date or a number.
NEGATIVE_ZERO_TEXT = re.compile(r"(?<![\w.-])-0(?:\.0+)?(?![\w.])")


def _money_inputs(api: Any, files: dict[str, Any], amount: Any) -> list[tuple[Any, ...]]:
    """(user, method, path, JSON body, field named): every place an amount comes in."""
    body = api.body()
    facts = {**body["facts"], "fee_per_session": amount}
    application = {"call_id": files["call"]["id"], "title": "Café"}
    return [
        (
            "caf1",
            "POST",
            f"/applications/{files['eligible']['id']}/shares/caf/propose",
            {"amount": amount},
            "amount",
        ),
        (
            "caf1",
            "POST",
            f"/sessions/{files['session']['id']}/decisions",
            {
                "application_id": files["scheduled"]["id"],
                "funder": "caf",
                "outcome": "granted",
                "amount": amount,
            },
            "amount",
        ),
        (
            "chair",
            "POST",
            "/calls",
            {**api.call_body(), "funders": [{"funder": "caf", "envelope": amount}]},
            "funders.0.envelope",
        ),
        (
            "asso",
            "POST",
            "/applications",
            {**application, "application": {**body, "requests": {"caf": amount}}},
            "application.requests.caf",
        ),
        (
            "asso",
            "PATCH",
            f"/applications/{files['draft']['id']}",
            {"application": {**body, "budget": {**body["budget"], "other_resources": amount}}},
            "application.budget.other_resources",
        ),
        (
            "asso",
            "POST",
            "/applications",
            {**application, "application": {**body, "facts": facts}},
            "application.facts.fee_per_session",
        ),
        (
            None,
            "POST",
            "/rules/evaluate",
            {
                "scheme": "reaap",
                "date": "2027-01-20",
                "application": {**body, "budget": {**body["budget"], "total_cost": amount}},
            },
            "application.budget.total_cost",
        ),
    ]


@pytest.mark.parametrize("amount", JUNK + NEGATIVE_ZEROS, ids=repr)
def test_money_refuses_what_decimal_would_read_naming_the_field(
    api: Any, files: dict[str, Any], amount: Any
) -> None:
    for user, method, path, body, field in _money_inputs(api, files, amount):
        response = api.invalid(field, user, method, path, json=body, watch=files["watch"])
        assert field in response.json()["detail"], (path, field)


def test_a_negative_zero_is_never_stored_nor_audited(api: Any, files: dict[str, Any]) -> None:
    for amount in NEGATIVE_ZEROS:
        for user, method, path, body, field in _money_inputs(api, files, amount):
            response = api.invalid(field, user, method, path, json=body, watch=files["watch"])
            assert "négatif" in response.json()["detail"], (amount, path)
    # Zero itself is an amount, as text or as a JSON number, and is stored as 0.00.
    eligible = files["eligible"]["id"]
    for zero in ("0", 0, 0.0, "0.00"):
        api.ok(
            api.post("caf1", f"/applications/{eligible}/shares/caf/propose", json={"amount": zero})
        )
    body = api.body()
    body["budget"] = {**body["budget"], "investment_costs": 0.0}
    body["facts"] = {**body["facts"], "fee_per_session": "0"}
    api.ok(api.patch("asso", f"/applications/{files['draft']['id']}", json={"application": body}))
    assert api.share(api.application(eligible), "caf")["proposed"] == "0.00"
    events = [e for e in api.events(eligible) if e["action"] == "propose"]
    assert [e["data"]["amount"] for e in events[-4:]] == ["0.00"] * 4
    assert _negative_zeros(api) == []


def _negative_zeros(api: Any) -> list[str]:
    """Every stored value that is, or spells, a negative zero: numbers and text of every table."""
    found = []
    with api.db.reading() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(table.select()).mappings():
                for column, value in row.items():
                    if _is_negative_zero(value):
                        found.append(f"{table.name}.{column}: {value}")
    return found


def _is_negative_zero(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_zero() and value.is_signed()
    if isinstance(value, (str, dict, list)):
        return NEGATIVE_ZERO_TEXT.search(str(value)) is not None
    return False
