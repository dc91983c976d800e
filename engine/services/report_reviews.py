"""A funder's review of a final report: what it says (`Review`), the checks it must pass,
the row it leaves, and the reductions for non-conformity the settlement reads."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from engine.access import Actor
from engine.formatting import format_money
from engine.models import FinalReport, Funder, ReportReview, Share
from engine.rulebook import FieldError, InvalidInput

OUTCOMES = ("approved", "revision")


@dataclass(frozen=True)
class Review:
    """`POST /applications/{id}/report/reviews`: `comment` is the reason of a revision."""

    funder: str
    outcome: str
    comment: str | None = None
    reduction: Decimal | None = None
    reduction_reason: str | None = None


def check_review(review: Review, share: Share) -> None:
    if review.outcome not in OUTCOMES:
        raise InvalidInput([FieldError("outcome", "not_a_choice")])
    if review.outcome == "revision" and not (review.comment and review.comment.strip()):
        raise InvalidInput([FieldError("comment", "reason_required")])
    if review.reduction is None or not review.reduction:
        return
    if review.outcome != "approved":
        raise InvalidInput([FieldError("reduction", "reduction_on_approval")])
    if review.reduction < 0:
        raise InvalidInput([FieldError("reduction", "negative_amount")])
    if review.reduction > (share.granted or 0):
        granted = format_money(share.granted)
        raise InvalidInput([FieldError("reduction", "reduction_above_granted", granted=granted)])
    if not ((review.reduction_reason or review.comment or "").strip()):
        raise InvalidInput([FieldError("reduction_reason", "reason_required")])


def round_reviews(session: Session, report: FinalReport) -> dict[int, ReportReview]:
    rows = session.exec(
        select(ReportReview).where(
            ReportReview.report_id == report.id, ReportReview.round == report.round
        )
    )
    return {r.funder_id: r for r in rows}


def review_row(report: FinalReport, funder: Funder, review: Review, actor: Actor) -> ReportReview:
    assert report.id is not None and funder.id is not None
    reduction = review.reduction if review.reduction else None
    return ReportReview(
        report_id=report.id,
        funder_id=funder.id,
        round=report.round,
        outcome=review.outcome,
        comment=review.comment,
        reduction=reduction,
        reduction_reason=(review.reduction_reason or review.comment) if reduction else None,
        reviewed_by=actor.id,
    )


def reductions_of(session: Session, report: FinalReport) -> dict[str, tuple[Decimal, str]]:
    """The extra reductions for non-conformity the funders gave with this round's approvals."""
    codes = {f.id: f.code for f in session.exec(select(Funder))}
    return {
        codes[r.funder_id]: (r.reduction, r.reduction_reason or "")
        for r in round_reviews(session, report).values()
        if r.outcome == "approved" and r.reduction
    }
