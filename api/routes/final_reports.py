"""The final financial report (CERFA 15059) of a notified file: the holder fills it in and
submits it, each funder that granted a share approves it or hands it back (DESIGN §10)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, DatabaseDep, IfMatch
from api.errors import error_responses
from api.models.final_reports import ReportIn, ReportOut, ReviewIn
from engine.access import Actor
from engine.db import Database
from engine.errors import NotFound
from engine.services import final_reports as service
from engine.services.report_reviews import Review
from engine.services.report_view import report_view

router = APIRouter(tags=["final reports"])
PATH = "/applications/{application_id}/report"
WRITE = error_responses(401, 403, 404, 409, 422)


def _out(db: Database, actor: Actor, application_id: int) -> ReportOut:
    view = report_view(db, actor, application_id)
    if view is None:
        raise NotFound("not_found.report", id=application_id)
    return ReportOut.of(view)


@router.get(PATH, response_model=ReportOut, responses=error_responses(401, 403, 404))
def get_report(application_id: int, db: DatabaseDep, actor: CurrentActor) -> ReportOut:
    """The report as whoever may see the file sees it; 404 until the file is notified."""
    return _out(db, actor, application_id)


@router.put(PATH, response_model=ReportOut, responses=WRITE)
def put_report(
    application_id: int, body: ReportIn, db: DatabaseDep, actor: CurrentActor, version: IfMatch
) -> ReportOut:
    """The holder's figures (replaced whole), while the report is due or handed back (409
    otherwise)."""
    service.save_report(db, actor, application_id, body.figures(), version)
    return _out(db, actor, application_id)


@router.post(PATH + "/submit", response_model=ReportOut, responses=WRITE)
def submit(
    application_id: int, db: DatabaseDep, actor: CurrentActor, version: IfMatch
) -> ReportOut:
    service.submit_report(db, actor, application_id, version)
    return _out(db, actor, application_id)


@router.post(PATH + "/reviews", response_model=ReportOut, responses=WRITE)
def review(application_id: int, body: ReviewIn, db: DatabaseDep, actor: CurrentActor) -> ReportOut:
    """A member of a funder with a granted share approves the report or asks for a revision
    (`comment` is its reason); the last approval computes the settlement."""
    service.review_report(
        db,
        actor,
        application_id,
        Review(body.funder, body.outcome, body.comment, body.reduction, body.reduction_reason),
    )
    return _out(db, actor, application_id)
