"""The figures of a final report (CERFA 15059): what the holder declares, the checks they must
pass, and the forecast column prefilled from the application the committee decided on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from engine.formatting import format_money
from engine.models import Application, Funder, Share
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.money import round_cents
from engine.services.reminders.timing import add_months

ZERO = Decimal("0.00")
KINDS = ("charge", "income")
ACTIVITY = ("parents", "children", "sessions")


@dataclass(frozen=True)
class Line:
    label: str
    kind: str  # charge | income
    forecast: Decimal
    actual: Decimal

    def stored(self) -> dict[str, str]:
        return {
            "label": self.label,
            "kind": self.kind,
            "forecast": str(self.forecast),
            "actual": str(self.actual),
        }


@dataclass(frozen=True)
class Figures:
    """What the holder writes into its report (`PUT /applications/{id}/report`)."""

    actual_total_cost: Decimal
    actual_other_resources: Decimal
    lines: list[Line] = field(default_factory=list)
    activity: dict[str, int] = field(default_factory=dict)
    narrative: str | None = None


def check(figures: Figures) -> None:
    """422 naming the field at fault: the charges must add up to the actual total cost, since
    the settlement reads that total (DESIGN §10)."""
    errors: list[FieldError] = []
    amounts = {
        "actual_total_cost": figures.actual_total_cost,
        "actual_other_resources": figures.actual_other_resources,
    }
    for index, line in enumerate(figures.lines):
        amounts[f"lines.{index}.forecast"] = line.forecast
        amounts[f"lines.{index}.actual"] = line.actual
        if line.kind not in KINDS:
            errors.append(FieldError(f"lines.{index}.kind", "not_a_choice"))
    for name, amount in amounts.items():
        if amount < 0:
            errors.append(FieldError(name, "negative_amount"))
        elif amount != amount.quantize(Decimal("0.01")):
            errors.append(FieldError(name, "decimal_places", places=2))
    errors += [
        FieldError(f"activity.{k}", "negative") for k, v in figures.activity.items() if v < 0
    ]
    if errors:
        raise InvalidInput(errors)
    charges = sum((line.actual for line in figures.lines if line.kind == "charge"), ZERO)
    if charges != figures.actual_total_cost:
        raise InvalidInput(
            [
                FieldError(
                    "lines",
                    "report_charges_total",
                    charges=format_money(charges),
                    total=format_money(figures.actual_total_cost),
                )
            ]
        )


def due_date(application: Application) -> date:
    """The end of the action plus `report.delay_months` (same day, or the month's last day)."""
    end = date.fromisoformat(str(application.data["period"]["end"]))
    return add_months(end, delay_months(end))


def delay_months(end: date) -> int:
    """`report.delay_months` for an action ending on `end`: the report's due date, and what the
    reminders before it say, come from this one dated parameter."""
    months = default_registry().parameters["report.delay_months"].at(end).value
    assert isinstance(months, Decimal)
    return int(months)


def forecast_lines(session: Session, application: Application) -> list[dict[str, str]]:
    """The forecast column of the CERFA 15059 from the application: its total cost as the
    charges, and as the income the share each funder granted and the other resources."""
    budget = application.data.get("budget") or {}
    rows = session.exec(
        select(Share, Funder)
        .join(Funder, col(Funder.id) == col(Share.funder_id))
        .where(Share.application_id == application.id, Share.state == "granted")
        .order_by(col(Funder.code))
    )
    lines = [
        {
            "label": "Coût total de l'action",
            "kind": "charge",
            "forecast": _money(budget, "total_cost"),
        }
    ]
    lines += [
        {"label": f"Subvention — {funder.name}", "kind": "income", "forecast": str(share.granted)}
        for share, funder in rows
        if share.granted
    ]
    lines.append(
        {
            "label": "Autres produits (ressources propres, autres financements)",
            "kind": "income",
            "forecast": _money(budget, "other_resources"),
        }
    )
    return lines


def _money(budget: dict[str, Any], key: str) -> str:
    try:
        return str(round_cents(Decimal(str(budget.get(key) or "0"))))
    except ArithmeticError:
        return "0.00"


def gap(forecast: Decimal, actual: Decimal) -> tuple[Decimal, Decimal | None]:
    """Actual minus forecast, in euros and in percent of the forecast (None for a forecast 0)."""
    difference = actual - forecast
    if not forecast:
        return difference, None
    return difference, (difference * 100 / forecast).quantize(Decimal("0.1"))
