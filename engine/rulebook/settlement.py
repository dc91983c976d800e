"""The settlement of a financing plan (DESIGN §10): pure arithmetic with its trace.

With S = Σ granted, O = actual other resources, C = actual total cost:
excess = min(S, max(0, S + O − C)), set to 0 when ≤ the tolerance; each funder's reduction is
excess × granted ÷ S rounded half-up to the cent, the rounding remainder going to the largest
share (ties: the lowest funder code) so that the reductions add up to the excess exactly. A
funder may add its own reduction for non-conformity (with its reason). final = granted −
reductions; due = final − paid: a balance to pay when positive, a recovery when negative.

No database, no clock: the service (engine/services/settlements.py) reads the figures and the
tolerance parameter and stores what this returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from engine.formatting import format_money
from engine.rulebook.money import CENT, ZERO, round_cents

FORMULA = (
    "excédent = min(S, max(0, S + O − C)), nul s'il ne dépasse pas la tolérance ; "
    "réduction = excédent × part accordée ÷ S ; définitif = accordé − réductions ; "
    "solde = définitif − déjà versé"
)


@dataclass(frozen=True)
class Tolerance:
    """The parameter `settlement.tolerance` as read: its value and the date it started."""

    value: Decimal
    since: date | None = None
    name: str = "settlement.tolerance"


@dataclass(frozen=True)
class SettlementInput:
    granted: Mapping[str, Decimal]  # funder code → granted amount (granted shares only)
    paid: Mapping[str, Decimal]  # funder code → already committed to the holder
    other_resources: Decimal  # O: everything but the shares of this plan
    total_cost: Decimal  # C: the actual total cost
    tolerance: Tolerance = field(default_factory=lambda: Tolerance(ZERO))
    # funder code → (extra reduction for non-conformity, its reason)
    extra: Mapping[str, tuple[Decimal, str]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # funder code → French name


@dataclass(frozen=True)
class SettlementLine:
    funder: str
    granted: Decimal
    reduction: Decimal  # the formula's pro rata part
    extra: Decimal  # the funder's own reduction for non-conformity
    extra_reason: str | None
    final: Decimal
    paid: Decimal

    @property
    def due(self) -> Decimal:
        return self.final - self.paid

    @property
    def balance(self) -> Decimal:
        return max(self.due, ZERO)

    @property
    def recovery(self) -> Decimal:
        return max(-self.due, ZERO)

    def as_json(self) -> dict[str, Any]:
        return {
            "funder": self.funder,
            "granted": str(self.granted),
            "reduction": str(self.reduction),
            "extra": str(self.extra),
            "extra_reason": self.extra_reason,
            "final": str(self.final),
            "paid": str(self.paid),
            "due": str(self.due),
            "balance": str(self.balance),
            "recovery": str(self.recovery),
        }


@dataclass(frozen=True)
class SettlementResult:
    total_granted: Decimal
    excess: Decimal
    lines: tuple[SettlementLine, ...]
    trace: dict[str, Any]

    def line(self, funder: str) -> SettlementLine:
        return next(line for line in self.lines if line.funder == funder)


def _cents(value: Decimal, what: str) -> Decimal:
    if value < 0 or value != value.quantize(CENT):
        raise ValueError(f"{what}: a non-negative amount in cents is expected, got {value}")
    return value.quantize(CENT)


def _order(granted: Mapping[str, Decimal]) -> list[str]:
    """Who takes the rounding remainder first: the largest share, ties to the lowest code."""
    return sorted(granted, key=lambda code: (-granted[code], code))


def prorate(excess: Decimal, granted: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """excess × granted_f ÷ S half-up to the cent, the remainder to the largest share, so that
    the parts add up to `excess` exactly; no part exceeds its share nor falls below 0 (with many
    tiny shares the remainder passes to the next largest share rather than break that)."""
    total = sum(granted.values(), ZERO)
    if total == 0 or excess == 0:
        return dict.fromkeys(granted, ZERO)
    parts = {code: round_cents(excess * amount / total) for code, amount in granted.items()}
    remainder = excess - sum(parts.values(), ZERO)
    for code in _order(granted):
        if remainder == 0:
            break
        room = granted[code] - parts[code] if remainder > 0 else parts[code]
        step = min(abs(remainder), room)
        step = step if remainder > 0 else -step
        parts[code] += step
        remainder -= step
    return parts


def settle(given: SettlementInput) -> SettlementResult:
    """The settlement of one plan, with its trace (formula, figures read, French sentences)."""
    granted = {code: _cents(amount, f"granted {code}") for code, amount in given.granted.items()}
    other = _cents(given.other_resources, "other_resources")
    cost = _cents(given.total_cost, "total_cost")
    tolerance = _cents(given.tolerance.value, "tolerance")
    total = sum(granted.values(), ZERO)
    raw = min(total, max(ZERO, total + other - cost))
    excess = ZERO if raw <= tolerance else raw
    parts = prorate(excess, granted)
    lines = []
    for code in sorted(granted):
        paid = _cents(given.paid.get(code, ZERO), f"paid {code}")
        amount, reason = given.extra.get(code, (ZERO, ""))
        # An extra reduction takes at most what the formula left.
        extra = min(_cents(amount, f"extra {code}"), granted[code] - parts[code])
        lines.append(
            SettlementLine(
                funder=code,
                granted=granted[code],
                reduction=parts[code],
                extra=extra,
                extra_reason=reason if extra > 0 else None,
                final=granted[code] - parts[code] - extra,
                paid=paid,
            )
        )
    trace = {
        "formula": FORMULA,
        "figures": {
            "total_granted": str(total),
            "other_resources": str(other),
            "total_cost": str(cost),
            "surplus": str(total + other - cost),
        },
        "parameters": [
            {
                "name": given.tolerance.name,
                "value": str(tolerance),
                "since": given.tolerance.since.isoformat() if given.tolerance.since else None,
            }
        ],
        "excess": str(excess),
        "remainder_order": _order(granted),
        "lines": [line.as_json() for line in lines],
        "explanation": explain(total, other, cost, raw, excess, tolerance, lines, given.names),
    }
    return SettlementResult(total, excess, tuple(lines), trace)


def explain(
    total: Decimal,
    other: Decimal,
    cost: Decimal,
    raw: Decimal,
    excess: Decimal,
    tolerance: Decimal,
    lines: list[SettlementLine],
    names: Mapping[str, str],
) -> list[str]:
    """The answer to « pourquoi ce montant ? », in French, one sentence a line."""
    m = format_money
    said = [
        f"Coût réel de l'action : {m(cost)} ; autres ressources réelles : {m(other)} ; "
        f"aides accordées par les financeurs du plan : {m(total)}.",
    ]
    if raw == 0:
        said.append(
            "Les aides et les autres ressources ne dépassent pas le coût réel : "
            "aucun excédent n'est repris."
        )
    elif excess == 0:
        said.append(
            f"L'excédent de {m(raw)} ne dépasse pas la tolérance de {m(tolerance)} : "
            "il n'est pas repris."
        )
    else:
        said.append(
            f"Les aides et les autres ressources ({m(total + other)}) dépassent le coût réel : "
            f"l'excédent de {m(excess)} est repris à chaque financeur au prorata de sa part "
            "(arrondi au centime, le reste d'arrondi allant à la part la plus élevée)."
        )
    for line in lines:
        name = names.get(line.funder, line.funder)
        parts = [f"{name} : part accordée {m(line.granted)}"]
        if excess > 0:
            parts.append(
                f"réduction {m(excess)} × {m(line.granted)} ÷ {m(total)} = {m(line.reduction)}"
            )
        if line.extra > 0:
            parts.append(f"réduction pour non-conformité {m(line.extra)} ({line.extra_reason})")
        parts.append(f"montant définitif {m(line.final)}")
        parts.append(f"déjà versé ou engagé {m(line.paid)}")
        if line.due > 0:
            parts.append(f"solde à verser {m(line.balance)}")
        elif line.due < 0:
            parts.append(f"somme à reverser par le porteur {m(line.recovery)}")
        else:
            parts.append("rien à verser ni à reverser")
        said.append(" ; ".join(parts) + ".")
    return said
