"""The Conseil départemental: a capped percentage of the cost for Reaap (RULES.md §5)."""

from __future__ import annotations

from engine.rulebook import FunderModule, FunderRule, ShareContext, ShareOutcome, round_cents
from engine.rulebook.money import euros, percent
from rules.common import PARAMETER_ROOT


def dep_reaap(ctx: ShareContext) -> ShareOutcome:
    rate = ctx.param("departement.reaap.rate")
    cap = ctx.param("departement.reaap.cap")
    computed = round_cents(rate * ctx.money("budget.total_cost"))
    amount = min(ctx.requested, computed, cap)
    return ShareOutcome(
        True,
        amount,
        f"{percent(rate)} du coût total ({euros(computed)}), au plus {euros(cap)} : "
        f"proposé {euros(amount)}.",
        "min(demande, round(rate × total_cost), cap)",
    )


module = FunderModule(
    code="departement",
    label="Conseil départemental",
    rules=[
        FunderRule(
            "DEP-REAAP",
            "Part du Département plafonnée",
            "Règlement départemental d'aide à la parentalité",
            dep_reaap,
            frozenset({"reaap"}),
        ),
    ],
    parameters=("departement.reaap.rate", "departement.reaap.cap"),
    parameter_root=PARAMETER_ROOT,
)
