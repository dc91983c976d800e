"""« Pourquoi ce montant ? » on the file page: the settlement as the holder and the funders read
it (engine/services/settlements.py), amounts and French sentences, no internal code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.access import Actor
from engine.db import Database
from engine.services.settlements import read_settlement


def settlement_view(
    db: Database, actor: Actor, application_id: int, names: dict[str, str]
) -> dict[str, Any] | None:
    """The settlement's figures, its lines by funder name and its explanation; None before."""
    settlement = read_settlement(db, actor, application_id)
    if settlement is None:
        return None
    lines = [
        {
            "funder_name": names.get(line["funder"], line["funder"]),
            **{
                key: Decimal(line[key])
                for key in ("granted", "reduction", "extra", "final", "paid", "balance", "recovery")
            },
            "extra_reason": line.get("extra_reason"),
        }
        for line in settlement.lines
    ]
    parameters = settlement.trace.get("parameters") or []
    tolerance = Decimal(parameters[0]["value"]) if parameters else Decimal("0.00")
    return {
        "total_cost": settlement.total_cost,
        "other_resources": settlement.other_resources,
        "total_granted": settlement.total_granted,
        "excess": settlement.excess,
        "tolerance": tolerance,
        "lines": lines,
        "explanation": list(settlement.trace.get("explanation") or []),
        "created_at": settlement.created_at,
    }
