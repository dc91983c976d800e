"""A final report as its readers see it: the figures with their gaps, the forecast column of
the CERFA 15059 prefilled from the application, and every funder's reviews."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlmodel import select

from engine.access import Actor
from engine.db import Database
from engine.models import FinalReport, Funder, ReportReview
from engine.services.application_access import load
from engine.services.final_reports import (
    HOLDER_EDITABLE,
    granted_funders,
    report_of,
    reviews_of,
)
from engine.services.report_figures import forecast_lines, gap


@dataclass(frozen=True)
class ReviewLine:
    funder: str
    funder_name: str
    round: int
    outcome: str
    comment: str | None
    reduction: Decimal | None
    reduction_reason: str | None
    review: ReportReview


@dataclass
class ReportView:
    report: FinalReport
    application_reference: str | None
    application_title: str
    # [{label, kind, forecast, actual, gap, gap_percent}]: the saved lines, or the forecast
    # prefilled from the application while the holder has saved none.
    lines: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[ReviewLine] = field(default_factory=list)
    # The codes of the funders that review it, and those still to review the current round.
    reviewers: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    holder_editable: bool = False


def report_view(db: Database, actor: Actor, application_id: int) -> ReportView | None:
    """None while no report is open for the file (before its notification)."""
    with db.reading() as session:
        application = load(session, application_id, actor)
        report = report_of(session, application_id)
        if report is None:
            return None
        assert report.id is not None
        funders = {f.id: f for f in session.exec(select(Funder))}
        saved = report.lines or forecast_lines(session, application)
        reviews = [
            ReviewLine(
                funder=funders[r.funder_id].code,
                funder_name=funders[r.funder_id].name,
                round=r.round,
                outcome=r.outcome,
                comment=r.comment,
                reduction=r.reduction,
                reduction_reason=r.reduction_reason,
                review=r,
            )
            for r in reviews_of(session, report.id)
        ]
        reviewers = sorted(funders[f].code for f in granted_funders(session, application_id))
        done = {r.funder for r in reviews if r.round == report.round}
        pending = [code for code in reviewers if code not in done]
        return ReportView(
            report=report,
            application_reference=application.reference,
            application_title=application.title,
            lines=[_line(line) for line in saved],
            reviews=reviews,
            reviewers=reviewers,
            pending=pending if report.state == "submitted" else [],
            holder_editable=report.state in HOLDER_EDITABLE,
        )


def _line(line: dict[str, Any]) -> dict[str, Any]:
    forecast = Decimal(str(line.get("forecast") or "0"))
    actual = None if line.get("actual") in (None, "") else Decimal(str(line["actual"]))
    difference, percent = gap(forecast, actual) if actual is not None else (None, None)
    return {
        "label": line.get("label", ""),
        "kind": line.get("kind", "charge"),
        "forecast": forecast,
        "actual": actual,
        "gap": difference,
        "gap_percent": percent,
    }
