"""The demo applications' bodies: holder, period, balanced budget and requests, facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.demo.people import Holder


def money(value: str | int) -> str:
    return f"{Decimal(value):.2f}"


def budget(total: str, other: str, requests: dict[str, str]) -> dict[str, Any]:
    """The budget and requests of an application; balanced (G5) by construction."""
    if Decimal(other) + sum(Decimal(v) for v in requests.values()) != Decimal(total):
        raise ValueError(f"unbalanced demo budget: {total} ≠ {other} + {requests}")
    return {
        "budget": {
            "total_cost": money(total),
            "investment_costs": "0.00",
            "other_resources": money(other),
        },
        "requests": {code: money(amount) for code, amount in requests.items()},
    }


def application(
    holder: Holder,
    period: tuple[date, date],
    facts: dict[str, Any],
    total: str,
    other: str,
    requests: dict[str, str],
    *,
    renewal: bool = False,
    report: bool = False,
    territory: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "holder": holder.facts(),
        "renewal": renewal,
        "previous_report_filed": report,
        "territory": territory or [holder.insee],
        "period": {"start": period[0].isoformat(), "end": period[1].isoformat()},
        **budget(total, other, requests),
        "facts": facts,
    }
