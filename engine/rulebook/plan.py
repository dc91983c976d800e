"""Coherence of a financing plan across funders (RULES.md §6) and payment schedules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.rulebook.money import round_cents


@dataclass(frozen=True)
class PlanLine:
    """One funder's line in a plan: requested, and its amount (None while decided by hand)."""

    funder: str
    requested: Decimal
    amount: Decimal | None


def plan_flags(
    total_cost: Decimal,
    other_resources: Decimal,
    lines: Sequence[PlanLine],
    convention_threshold: Decimal,
) -> dict[str, object]:
    """Flags that apply, as JSON-ready values; a flag that does not apply is absent."""
    counted = sum(
        (line.requested if line.amount is None else line.amount for line in lines), Decimal(0)
    )
    difference = round_cents(total_cost - other_resources - counted)
    flags: dict[str, object] = {}
    if difference > 0:
        flags["financing_gap"] = str(difference)
    elif difference < 0:
        flags["over_financing"] = str(-difference)
    convention = sorted(
        line.funder
        for line in lines
        if line.amount is not None and line.amount > convention_threshold
    )
    if convention:
        flags["convention_required"] = convention
    return flags


def payment_schedule(amount: Decimal, advance_rate: Decimal) -> dict[str, str]:
    """Advance (acompte) and balance (solde) of a granted amount."""
    advance = round_cents(advance_rate * amount)
    return {"advance": str(advance), "balance": str(round_cents(amount - advance))}
