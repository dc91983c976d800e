"""Where a file's money stands after the decision, in one read (`GET /applications/{id}/funding`):
its agreements, its payments, its final report with the reviews, and its settlement.

Each part is read through the function of the module that owns it (agreements, payments,
final_reports, settlements); this module only puts them side by side, with funder codes in place
of ids, for whoever may see the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from engine.access import Actor
from engine.db import Database
from engine.models import Agreement, FinalReport, Funder, Payment, ReportReview, Settlement
from engine.services.agreements import agreements_of
from engine.services.application_access import load
from engine.services.final_reports import report_of, reviews_of
from engine.services.payments import payments_of
from engine.services.settlements import settlement_of


@dataclass(frozen=True)
class Funding:
    """The parts as stored, and the funder codes by id to name them."""

    agreements: list[Agreement]
    payments: list[Payment]
    report: FinalReport | None
    reviews: list[ReportReview]
    settlement: Settlement | None
    codes: dict[int, str]

    def code(self, funder_id: int) -> str:
        return self.codes.get(funder_id, "")

    def settlement_json(self) -> dict[str, Any] | None:
        if self.settlement is None:
            return None
        return {
            "excess": self.settlement.excess,
            "lines": self.settlement.lines,
            "trace": self.settlement.trace,
        }


def funding(db: Database, actor: Actor, application_id: int) -> Funding:
    with db.reading() as session:
        load(session, application_id, actor)
        report = report_of(session, application_id)
        return Funding(
            agreements=agreements_of(session, application_id),
            payments=payments_of(session, application_id),
            report=report,
            reviews=reviews_of(session, report.id) if report and report.id else [],
            settlement=settlement_of(session, application_id),
            codes={f.id: f.code for f in session.exec(select(Funder)) if f.id is not None},
        )
