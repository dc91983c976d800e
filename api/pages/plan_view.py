"""The financing plan as a funder reads it on a file and in its inbox: honest about pending shares.

The API's `flags` weigh a share that no one has proposed yet at its requested amount, and a
share the rules set to zero (common rules not met) at zero, so a balanced plan may show a gap
before anyone decided anything. Here the plan is read per share: decided (granted, refused),
proposed, or still pending; the gap is said "en attente de propositions" while shares are
pending, and a balanced plan is a status, not an alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.formatting import format_money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Notice:
    level: str  # success | info | warning | error (DSFR badge and alert kinds)
    text: str


@dataclass
class PlanStatus:
    """`status`: one line on the plan as a whole; `alerts`: what needs attention."""

    status: Notice
    alerts: list[Notice] = field(default_factory=list)
    pending: int = 0


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def share_amount(share: dict[str, Any]) -> Decimal | None:
    """What a share weighs now: granted, zero when refused, proposed; None while pending."""
    state = share.get("state")
    if state == "granted":
        return _money(share.get("granted"))
    if state == "refused":
        return ZERO
    if state == "proposed" and share.get("proposed") is not None:
        return _money(share.get("proposed"))
    return None


def plan_status(application: dict[str, Any], names: dict[str, str]) -> PlanStatus:
    """The plan of an application as the API shows it (`application`, `shares`, `flags`)."""
    if application.get("state") == "withdrawn":
        return PlanStatus(Notice("info", "Demande retirée par le porteur"))
    body = application.get("application") or {}
    budget = body.get("budget") or {}
    need = _money(budget.get("total_cost")) - _money(budget.get("other_resources"))
    shares = application.get("shares") or []
    amounts = [share_amount(s) for s in shares]
    pending = [s for s, amount in zip(shares, amounts, strict=True) if amount is None]
    known = sum((a for a in amounts if a is not None), ZERO)
    expected = known + sum((_money(s.get("requested")) for s in pending), ZERO)
    gap = need - expected
    alerts: list[Notice] = []
    waiting = " (en attente de propositions)" if pending else ""
    if gap > 0:
        alerts.append(Notice("warning", f"Besoin non couvert : {format_money(gap)}{waiting}"))
    elif gap < 0:
        alerts.append(Notice("error", f"Surfinancement : {format_money(-gap)}{waiting}"))
    convention = (application.get("flags") or {}).get("convention_required") or []
    if convention:
        who = ", ".join(names.get(code, "un financeur") for code in convention)
        alerts.append(Notice("info", f"Convention obligatoire : {who}"))
    if pending:
        count = len(pending)
        word = "part en attente" if count == 1 else "parts en attente"
        text = f"En attente de propositions : {count} {word}"
        if gap == 0:
            text += " — plan équilibré si les montants demandés sont retenus"
        status = Notice("info", text)
    elif gap == 0:
        status = Notice("success", "Plan de financement équilibré")
    else:
        status = Notice("info", "Toutes les parts sont proposées ou décidées")
    return PlanStatus(status, alerts, len(pending))
