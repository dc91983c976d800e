"""The final financial report (CERFA 15059) of a notified application, and its reviews.

Opened at notification (`open_report`, due `report.delay_months` after the end of the action),
filled in by the holder while it is due or handed back (`save_report`), submitted
(`submit_report`), then reviewed by each funder that granted a share (`review_report`). Each
submission opens a new round: only the approvals of the current round count, since a revision
may change what an earlier approval read. The last approval settles the file
(`engine.services.settlements.settle`) in the same transaction.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from engine.access import SYSTEM, Actor, require_funder_member, require_holder
from engine.audit import authorise, record, transition
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict, Forbidden, NotFound
from engine.models import Application, FinalReport, Funder, ReportReview, Share
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services import follow_up_emails, settlements
from engine.services.application_access import load
from engine.services.common import check_version, funder_by_code
from engine.services.report_figures import Figures, check, due_date
from engine.services.report_reviews import (
    Review,
    check_review,
    reductions_of,
    review_row,
    round_reviews,
)
from workflows.report import REPORT

HOLDER_EDITABLE = REPORT.tagged("holder_editable")
AWAITED = REPORT.tagged("awaited")


def open_report(session: Session, application: Application) -> FinalReport:
    """The application's report, opened `due` if it has none yet (called at notification)."""
    assert application.id is not None
    existing = report_of(session, application.id)
    if existing is not None:
        return existing
    report = FinalReport(application_id=application.id, due_on=due_date(application))
    session.add(report)
    session.flush()
    assert report.id is not None
    record(
        session,
        "report",
        report.id,
        "report_open",
        SYSTEM,
        to_state=report.state,
        application_id=application.id,
        data={"due_on": report.due_on.isoformat()},
    )
    return report


def report_of(session: Session, application_id: int) -> FinalReport | None:
    return session.exec(
        select(FinalReport).where(FinalReport.application_id == application_id)
    ).first()


def reviews_of(session: Session, report_id: int) -> list[ReportReview]:
    return list(
        session.exec(
            select(ReportReview)
            .where(ReportReview.report_id == report_id)
            .order_by(col(ReportReview.id))
        )
    )


def reports_due(session: Session, today: date) -> list[FinalReport]:
    """Every report still awaited from its holder on `today` (due, or handed back for a
    revision), the earliest due first: the chair's board splits them into due and overdue."""
    del today  # every awaited report is listed, whatever its date
    return list(
        session.exec(
            select(FinalReport)
            .where(col(FinalReport.state).in_(sorted(AWAITED)))
            .order_by(col(FinalReport.due_on), col(FinalReport.id))
        )
    )


def granted_funders(session: Session, application_id: int) -> dict[int, Share]:
    """The funders that review the report: those with a granted share (amount > 0)."""
    shares = session.exec(
        select(Share).where(Share.application_id == application_id, Share.state == "granted")
    )
    return {s.funder_id: s for s in shares if s.granted}


def _report(session: Session, application_id: int, *, lock: bool = False) -> FinalReport:
    query = select(FinalReport).where(FinalReport.application_id == application_id)
    # Two funders approving at once must not both see the other's approval missing (the
    # report then never leaves `submitted`): the row is locked (PostgreSQL; SQLite writers
    # are serialised already).
    report = session.exec(query.with_for_update() if lock else query).first()
    if report is None:
        raise NotFound("not_found.report", id=application_id)
    return report


def check_access(
    db: Database, actor: Actor, application_id: int, *, funder: str | None = None
) -> None:
    """A write's access checks alone: the holder's, or with `funder` a reviewer's. The pages
    run them before reading a form, so that a stranger is refused before being told what is
    wrong with what it typed."""
    with db.reading() as session:
        application = load(session, application_id, actor)
        if funder is None:
            require_holder(actor, application)
        else:
            _reviewer(session, actor, application_id, funder)


def _reviewer(
    session: Session, actor: Actor, application_id: int, code: str
) -> tuple[Funder, dict[int, Share]]:
    """The funder a member reviews for, and every reviewing funder's share (403 unless that
    funder granted a share)."""
    authorise("report", "approve", actor)
    require_text({"funder": code})
    funder = funder_by_code(session, code)
    assert funder.id is not None
    require_funder_member(actor, funder.id)
    reviewers = granted_funders(session, application_id)
    if funder.id not in reviewers:
        raise Forbidden("forbidden.no_granted_share")
    return funder, reviewers


def save_report(
    db: Database,
    actor: Actor,
    application_id: int,
    figures: Figures,
    if_match: int | None = None,
) -> FinalReport:
    """The holder writes its figures: only while the report is due or handed back."""
    with db.transaction() as session:
        application = load(session, application_id, actor)
        require_holder(actor, application)
        require_text({}, multiline={"narrative": figures.narrative})
        report = _report(session, application_id)
        check_version(report, if_match)
        if report.state not in HOLDER_EDITABLE:
            raise Conflict("wrong_state.report_edit", state=report.state)
        check(figures)
        report.actual_total_cost = figures.actual_total_cost
        report.actual_other_resources = figures.actual_other_resources
        report.lines = [line.stored() for line in figures.lines]
        report.activity = dict(figures.activity)
        report.narrative = figures.narrative
        session.add(report)
        assert report.id is not None
        record(session, "report", report.id, "report_save", actor, application_id=application_id)
        session.flush()
        return report


def submit_report(
    db: Database, actor: Actor, application_id: int, if_match: int | None = None
) -> FinalReport:
    with db.transaction() as session:
        application = load(session, application_id, actor)
        require_holder(actor, application)
        authorise("report", "submit", actor)
        report = _report(session, application_id)
        check_version(report, if_match)
        if report.state in HOLDER_EDITABLE:
            missing = [
                FieldError(name, "required")
                for name in ("actual_total_cost", "actual_other_resources")
                if getattr(report, name) is None
            ]
            if missing:
                raise InvalidInput(missing)
        transition(session, "report", report, "submit", actor, application_id=application_id)
        report.round += 1
        report.submitted_at = now()
        session.add(report)
        session.flush()
        follow_up_emails.report_submitted(
            session, application, report, granted_funders(session, application_id)
        )
        return report


def review_report(db: Database, actor: Actor, application_id: int, review: Review) -> FinalReport:
    """A funder with a granted share approves the report or hands it back with a reason; the
    last approval of the round approves it and settles the file."""
    with db.transaction() as session:
        application = load(session, application_id, actor)
        funder, reviewers = _reviewer(session, actor, application_id, review.funder)
        assert funder.id is not None
        require_text({}, multiline={"comment": review.comment})
        report = _report(session, application_id, lock=True)
        assert report.id is not None
        check_review(review, reviewers[funder.id])
        if report.state != "submitted":
            raise Conflict("wrong_state.report_review", state=report.state)
        done = round_reviews(session, report)
        if funder.id in done:
            raise Conflict("duplicate.review", funder=funder.name)
        approved = {f for f, r in done.items() if r.outcome == "approved"} | {funder.id}
        data = {"funder": funder.code, "outcome": review.outcome, "round": report.round}
        if review.outcome == "approved":
            complete = set(reviewers) <= approved
            transition(
                session,
                "report",
                report,
                "approve",
                actor,
                guards={"all_approved": lambda: complete, "others_pending": lambda: not complete},
                reason=review.comment,
                application_id=application_id,
                data=data,
            )
        else:
            transition(
                session,
                "report",
                report,
                "request_revision",
                actor,
                reason=review.comment,
                application_id=application_id,
                data=data,
            )
            follow_up_emails.report_revision(session, application, funder, review.comment or "")
        session.add(review_row(report, funder, review, actor))
        session.flush()
        if report.state == "approved":
            report.approved_at = now()
            session.add(report)
            _settle(session, application, report, actor)
        return report


def _settle(session: Session, application: Application, report: FinalReport, actor: Actor) -> None:
    settlements.settle(session, application, report, reductions_of(session, report), actor)
