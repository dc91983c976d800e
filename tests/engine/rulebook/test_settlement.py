"""The settlement's arithmetic (DESIGN §10): the worked example, the rounding remainder, the
tolerance, extra reductions, and properties on random plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rulebook.settlement import SettlementInput, Tolerance, prorate, settle

D = Decimal


def test_the_worked_example_recovers_300_from_the_commune_and_pays_two_balances() -> None:
    result = settle(
        SettlementInput(
            granted={"grenoble": D("1500.00"), "caf": D("1700.00"), "departement": D("800.00")},
            paid={"grenoble": D("1500.00"), "caf": D("1190.00"), "departement": D("560.00")},
            other_resources=D("0.00"),
            total_cost=D("3200.00"),
            names={"grenoble": "Ville de Grenoble", "caf": "Caf de l'Isère"},
        )
    )
    assert result.excess == D("800.00")
    commune, caf, departement = (result.line(c) for c in ("grenoble", "caf", "departement"))
    assert (commune.reduction, commune.final, commune.recovery, commune.balance) == (
        D("300.00"),
        D("1200.00"),
        D("300.00"),
        D("0.00"),
    )
    assert (caf.reduction, caf.final, caf.balance) == (D("340.00"), D("1360.00"), D("170.00"))
    assert (departement.final, departement.balance) == (D("640.00"), D("80.00"))
    explanation = result.trace["explanation"]
    assert any("l'excédent de 800,00" in line for line in explanation)
    assert any(line.startswith("Ville de Grenoble") and "300,00" in line for line in explanation)
    assert result.trace["figures"]["total_cost"] == "3200.00"


def test_the_rounding_remainder_goes_to_the_largest_share_ties_to_the_lowest_code() -> None:
    equal = {"grenoble": D("1000.00"), "caf": D("1000.00"), "departement": D("1000.00")}
    parts = prorate(D("100.00"), equal)
    assert parts == {"caf": D("33.34"), "departement": D("33.33"), "grenoble": D("33.33")}
    # A larger share takes it even with a higher code.
    parts = prorate(D("100.00"), {**equal, "grenoble": D("1000.01")})
    assert parts["grenoble"] == D("33.34") and sum(parts.values()) == D("100.00")


def test_an_excess_within_the_tolerance_is_not_recovered() -> None:
    given_ = SettlementInput(
        granted={"caf": D("1000.00")},
        paid={"caf": D("700.00")},
        other_resources=D("0.00"),
        total_cost=D("990.00"),
        tolerance=Tolerance(D("10.00"), date(2026, 1, 1)),
    )
    result = settle(given_)
    assert result.excess == 0 and result.line("caf").balance == D("300.00")
    assert result.trace["parameters"][0] == {
        "name": "settlement.tolerance",
        "value": "10.00",
        "since": "2026-01-01",
    }


def test_a_funder_s_own_reduction_comes_on_top_with_its_reason_and_never_below_zero() -> None:
    result = settle(
        SettlementInput(
            granted={"caf": D("1000.00"), "msa": D("200.00")},
            paid={"caf": D("700.00"), "msa": D("0.00")},
            other_resources=D("0.00"),
            total_cost=D("5000.00"),
            extra={"caf": (D("150.00"), "Action réduite de moitié"), "msa": (D("900.00"), "x")},
        )
    )
    caf = result.line("caf")
    assert (caf.reduction, caf.extra, caf.final, caf.balance) == (
        D("0.00"),
        D("150.00"),
        D("850.00"),
        D("150.00"),
    )
    assert caf.extra_reason == "Action réduite de moitié"
    assert result.line("msa").final == D("0.00")
    assert any("non-conformité" in line for line in result.trace["explanation"])


def test_a_cost_below_the_other_resources_takes_back_every_share() -> None:
    result = settle(
        SettlementInput(
            granted={"caf": D("1000.00")},
            paid={"caf": D("700.00")},
            other_resources=D("3000.00"),
            total_cost=D("2000.00"),
        )
    )
    assert result.excess == D("1000.00")
    assert result.line("caf").final == 0 and result.line("caf").recovery == D("700.00")


cents = st.integers(min_value=0, max_value=5_000_000).map(lambda n: Decimal(n) / 100)
codes = st.sampled_from(["caf", "etat", "departement", "msa", "grenoble", "echirolles"])


@settings(max_examples=300, deadline=None, database=None)
@given(
    granted=st.dictionaries(codes, cents, min_size=1, max_size=6),
    paid_ratio=st.dictionaries(codes, st.integers(0, 100)),
    other=cents,
    cost=cents,
    tolerance=st.sampled_from([D("0.00"), D("0.00"), D("15.00")]),
    extra=st.dictionaries(codes, cents, max_size=2),
)
def test_settlement_properties(
    granted: dict[str, Decimal],
    paid_ratio: dict[str, int],
    other: Decimal,
    cost: Decimal,
    tolerance: Decimal,
    extra: dict[str, Decimal],
) -> None:
    paid = {c: (g * paid_ratio.get(c, 70) / 100).quantize(D("0.01")) for c, g in granted.items()}
    reasons = {code: (amount, "Non-conformité") for code, amount in extra.items()}
    result = settle(SettlementInput(granted, paid, other, cost, Tolerance(tolerance), reasons))
    finals = sum((line.final for line in result.lines), D(0))
    # Nobody is over-financed: the shares cover at most the cost net of the other resources
    # (give or take the tolerance, an excess not worth recovering).
    assert finals <= max(D(0), cost - other) + tolerance
    if not extra:
        assert result.excess == 0 or finals == max(D(0), cost - other)
    assert all(D(0) <= line.final <= line.granted for line in result.lines)
    assert sum((line.reduction for line in result.lines), D(0)) == result.excess
    assert all(line.due == line.final - line.paid for line in result.lines)
    assert all(line.balance * line.recovery == 0 for line in result.lines)


@pytest.mark.parametrize("amount", ["-1.00", "1.005"])
def test_amounts_must_be_non_negative_cents(amount: str) -> None:
    with pytest.raises(ValueError, match="total_cost"):
        settle(SettlementInput({"caf": D("1.00")}, {}, D("0.00"), D(amount)))
