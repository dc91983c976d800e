"""Agreements and a file's funding after the decision: `GET /applications/{id}/funding`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.models.common import Day, MoneyOut, Out, Timestamp
from engine.models import Agreement
from engine.services.funding import Funding


class AgreementOut(Out):
    id: int
    application_id: int
    funder: str
    kind: str = Field(description="convention (to sign) | notification (the letter is the act)")
    state: str = Field(description="awaiting_signature | signed_by_holder | in_force")
    amount: MoneyOut
    year: int = Field(description="civil year of the action's start")
    cumulated: MoneyOut = Field(
        description="what the funder granted to the organisation for that year, when opened"
    )
    has_convention: bool
    signed_at: Timestamp | None
    countersigned_at: Timestamp | None

    @classmethod
    def of(cls, agreement: Agreement, funder: str) -> AgreementOut:
        assert agreement.id is not None
        return cls(
            id=agreement.id,
            application_id=agreement.application_id,
            funder=funder,
            kind=agreement.kind,
            state=agreement.state,
            amount=agreement.amount,
            year=agreement.year,
            cumulated=agreement.cumulated,
            has_convention=agreement.blob_id is not None,
            signed_at=agreement.signed_at,
            countersigned_at=agreement.countersigned_at,
        )


class FundingPaymentOut(Out):
    id: int
    funder: str
    kind: str
    amount: MoneyOut
    state: str
    due_on: Day | None
    reference: str | None
    paid_on: Day | None


class ReviewOut(Out):
    funder: str
    outcome: str
    comment: str | None


class ReportOut(Out):
    state: str
    due_on: Day
    reviews: list[ReviewOut]


class SettlementLineOut(Out):
    funder: str
    granted: str
    reduction: str
    final: str
    paid: str
    balance: str
    recovery: str


class SettlementOut(Out):
    excess: MoneyOut
    lines: list[SettlementLineOut]
    trace: dict[str, Any]


class FundingOut(Out):
    agreements: list[AgreementOut]
    payments: list[FundingPaymentOut]
    report: ReportOut | None
    settlement: SettlementOut | None

    @classmethod
    def of(cls, funding: Funding) -> FundingOut:
        report = None
        if funding.report is not None:
            reviews = [
                ReviewOut(funder=funding.code(r.funder_id), outcome=r.outcome, comment=r.comment)
                for r in funding.reviews
            ]
            report = ReportOut(
                state=funding.report.state, due_on=funding.report.due_on, reviews=reviews
            )
        settlement = funding.settlement_json()
        return cls(
            agreements=[AgreementOut.of(a, funding.code(a.funder_id)) for a in funding.agreements],
            payments=[
                FundingPaymentOut(
                    id=p.id or 0,
                    funder=funding.code(p.funder_id),
                    kind=p.kind,
                    amount=p.amount,
                    state=p.state,
                    due_on=p.due_on,
                    reference=p.reference,
                    paid_on=p.paid_on,
                )
                for p in funding.payments
            ],
            report=report,
            settlement=None if settlement is None else SettlementOut.model_validate(settlement),
        )
