"""The final financial report (CERFA 15059): `PUT/GET /api/v1/applications/{id}/report`, its
submission and the funders' reviews."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from api.models.common import Body, Day, MoneyOut, Out, Timestamp
from engine.rulebook.text import MultilineText, Text
from engine.rulebook.types import Count, Money
from engine.services.report_figures import Figures, Line
from engine.services.report_view import ReportView, ReviewLine
from workflows.report import REPORT


class ReportLineIn(Body):
    label: Text = Field(min_length=1, max_length=200)
    kind: Literal["charge", "income"]
    forecast: Money
    actual: Money


class ActivityIn(Body):
    parents: Count = 0
    children: Count = 0
    sessions: Count = Field(default=0, description="sessions held")


class ReportIn(Body):
    """The holder's figures; the charge lines' actual amounts must add up to
    `actual_total_cost` (422 naming `lines` otherwise)."""

    actual_total_cost: Money
    actual_other_resources: Money = Field(
        description="every actual resource except the shares of this plan"
    )
    lines: list[ReportLineIn] = Field(max_length=60)
    activity: ActivityIn = Field(default_factory=ActivityIn)
    narrative: MultilineText | None = Field(default=None, max_length=8000)

    def figures(self) -> Figures:
        return Figures(
            actual_total_cost=self.actual_total_cost,
            actual_other_resources=self.actual_other_resources,
            lines=[Line(x.label, x.kind, x.forecast, x.actual) for x in self.lines],
            activity=self.activity.model_dump(),
            narrative=self.narrative,
        )


class ReviewIn(Body):
    funder: Text = Field(min_length=1, max_length=50)
    outcome: Literal["approved", "revision"]
    comment: MultilineText | None = Field(
        default=None, max_length=4000, description="mandatory for a revision: its reason"
    )
    reduction: Money | None = Field(
        default=None, description="an extra reduction for non-conformity, with an approval"
    )
    reduction_reason: MultilineText | None = Field(
        default=None, max_length=4000, description="default: the comment"
    )


class ReportLineOut(Out):
    label: str
    kind: str
    forecast: MoneyOut
    actual: MoneyOut | None
    gap: MoneyOut | None = Field(description="actual − forecast, in euros")
    gap_percent: Decimal | None = Field(description="the gap in percent of the forecast")


class ReviewOut(Out):
    funder: str
    funder_name: str
    round: int
    outcome: str
    comment: str | None
    reduction: MoneyOut | None
    reduction_reason: str | None
    at: Timestamp

    @classmethod
    def of(cls, line: ReviewLine) -> ReviewOut:
        return cls(
            funder=line.funder,
            funder_name=line.funder_name,
            round=line.round,
            outcome=line.outcome,
            comment=line.comment,
            reduction=line.reduction,
            reduction_reason=line.reduction_reason,
            at=line.review.created_at,
        )


class ActivityOut(Out):
    parents: int | None = None
    children: int | None = None
    sessions: int | None = None


class ReportOut(Out):
    application_id: int
    state: str
    state_label: str
    version: int
    due_on: Day
    actual_total_cost: MoneyOut | None
    actual_other_resources: MoneyOut | None
    lines: list[ReportLineOut] = Field(
        description="the saved lines, or the forecast prefilled from the application"
    )
    activity: ActivityOut
    narrative: str | None
    round: int = Field(description="how many times it was submitted")
    submitted_at: Timestamp | None
    approved_at: Timestamp | None
    reviewers: list[str] = Field(description="the funders with a granted share")
    pending: list[str] = Field(description="the funders still to review this submission")
    reviews: list[ReviewOut]

    @classmethod
    def of(cls, view: ReportView) -> ReportOut:
        report = view.report
        return cls(
            application_id=report.application_id,
            state=report.state,
            state_label=REPORT.state(report.state).label,
            version=report.version,
            due_on=report.due_on,
            actual_total_cost=report.actual_total_cost,
            actual_other_resources=report.actual_other_resources,
            lines=[ReportLineOut(**line) for line in view.lines],
            activity=ActivityOut(**report.activity),
            narrative=report.narrative,
            round=report.round,
            submitted_at=report.submitted_at,
            approved_at=report.approved_at,
            reviewers=view.reviewers,
            pending=view.pending,
            reviews=[ReviewOut.of(r) for r in view.reviews],
        )
