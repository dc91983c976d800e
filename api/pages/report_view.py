"""The final report as the pages show it: the section of the file page (state, due date,
reviews, a funder's review form) and the rows of the holder's CERFA 15059 form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.access import Actor
from engine.db import Database
from engine.services.funders import list_funders
from engine.services.report_documents import report_documents
from engine.services.report_view import ReportView, report_view
from workflows.report import REPORT

EXTRA_ROWS = 3  # empty rows under the forecast ones, for the holder's own lines


def _french(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}".replace(".", ",")


def report_section(db: Database, actor: Actor, application_id: int) -> dict[str, Any] | None:
    """What the file page shows of the report; None before the file is notified."""
    view = report_view(db, actor, application_id)
    if view is None:
        return None
    state = view.report.state
    mine = next((f.code for f in list_funders(db) if f.id == actor.funder_id), None)
    if actor.role != "funder":
        mine = None
    return {
        "view": view,
        "report": view.report,
        "is_holder": actor.role == "applicant",
        "can_fill": actor.role == "applicant" and view.holder_editable,
        "can_review": mine is not None
        and mine in view.pending
        and REPORT.allowed("approve", state, actor.role),
        "my_funder": mine,
        "documents": report_documents(db, actor, application_id),
    }


def form_rows(view: ReportView, values: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The CERFA 15059 rows of the holder's form: the saved (or forecast) lines, then empty
    ones; `values` are what the holder typed when the form comes back with errors."""
    rows = []
    for index, line in enumerate(view.lines):
        rows.append(
            {
                "index": index,
                "label": line["label"],
                "kind": line["kind"],
                "forecast": _french(line["forecast"]),
                "actual": _french(line["actual"]),
                "forecast_amount": line["forecast"],
                "actual_amount": line["actual"],
                "gap": line["gap"],
                "gap_percent": line["gap_percent"],
            }
        )
    start = len(rows)
    for index in range(start, start + EXTRA_ROWS):
        rows.append(
            {
                "index": index,
                "label": "",
                "kind": "charge",
                "forecast": "",
                "actual": "",
                "gap": None,
                "gap_percent": None,
            }
        )
    if values:
        for row in rows:
            for key in ("label", "kind", "forecast", "actual"):
                typed = values.get(f"lines.{row['index']}.{key}")
                if typed is not None:
                    row[key] = typed
    return rows


def totals(view: ReportView) -> dict[str, Decimal]:
    """Forecast and actual totals of the charges and of the income, for the form's footer."""
    sums = {"charge_forecast": Decimal(0), "charge_actual": Decimal(0)}
    sums |= {"income_forecast": Decimal(0), "income_actual": Decimal(0)}
    for line in view.lines:
        sums[f"{line['kind']}_forecast"] += line["forecast"]
        sums[f"{line['kind']}_actual"] += line["actual"] or 0
    return sums
