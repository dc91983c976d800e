"""The final financial report pages: the holder's CERFA 15059 form (`/dossiers/{id}/compte-rendu`)
and the review a funder gives from the file page. Thin: parse the French form, call the same
services as the JSON API, render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.files import parse_money, show_file
from api.pages.lists import field_errors, form_text
from api.pages.report_view import form_rows, totals
from api.pages.web import PageActor, PageRoute, PostedForm, redirect, render
from engine.access import Actor
from engine.db import Database
from engine.errors import NotFound
from engine.rulebook import FieldError, InvalidInput
from engine.services import final_reports as service
from engine.services.report_documents import report_documents
from engine.services.report_figures import ACTIVITY, Figures, Line
from engine.services.report_reviews import OUTCOMES, Review
from engine.services.report_view import report_view

router = APIRouter(route_class=PageRoute)
MAX_ROWS = 60


def show_report(
    request: Request,
    db: Database,
    actor: Actor,
    application_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    view = report_view(db, actor, application_id)
    if view is None:
        raise NotFound("not_found.report", id=application_id)
    report = view.report
    typed = values or {}

    def value(name: str, amount: Decimal | None) -> str:
        if name in typed:
            return typed[name]
        return "" if amount is None else f"{amount:.2f}".replace(".", ",")

    context = {
        "view": view,
        "report": report,
        "rows": form_rows(view, values),
        "totals": totals(view),
        "editable": actor.role == "applicant" and view.holder_editable,
        "errors": errors or {},
        "total_cost": value("actual_total_cost", report.actual_total_cost),
        "other_resources": value("actual_other_resources", report.actual_other_resources),
        "activity": {
            k: typed.get(f"activity.{k}", str(report.activity.get(k, ""))) for k in ACTIVITY
        },
        "narrative": typed.get("narrative", report.narrative or ""),
        "application_id": application_id,
        "documents": report_documents(db, actor, application_id),
    }
    status = 422 if errors else 200
    return render(request, "report/form.html", context, actor=actor, status_code=status)


@router.get("/dossiers/{application_id}/compte-rendu")
def report_page(
    request: Request, application_id: int, db: DatabaseDep, actor: PageActor
) -> Response:
    return show_report(request, db, actor, application_id)


def _figures(form: Any) -> Figures:
    """The form's figures, every field checked; the errors name the API's fields."""
    errors: list[FieldError] = []

    def money(name: str, required: bool = True) -> Decimal | None:
        try:
            return parse_money(form_text(form, name), name, required)
        except InvalidInput as exc:
            errors.extend(exc.errors)
            return None

    total = money("actual_total_cost")
    other = money("actual_other_resources")
    lines = []
    for index in range(MAX_ROWS):
        prefix = f"lines.{index}"
        label = form_text(form, f"{prefix}.label")
        forecast_raw, actual_raw = (
            form_text(form, f"{prefix}.{k}") for k in ("forecast", "actual")
        )
        if not (label or forecast_raw or actual_raw):
            continue
        if not label:
            errors.append(FieldError(f"{prefix}.label", "required"))
        forecast = money(f"{prefix}.forecast", required=False) or Decimal("0.00")
        actual = money(f"{prefix}.actual", required=False) or Decimal("0.00")
        kind = "income" if form_text(form, f"{prefix}.kind") == "income" else "charge"
        lines.append(Line(label, kind, forecast, actual))
    activity = {}
    for key in ACTIVITY:
        raw = form_text(form, f"activity.{key}")
        if raw and not raw.isdigit():
            errors.append(FieldError(f"activity.{key}", "whole_number"))
        activity[key] = int(raw) if raw.isdigit() else 0
    if errors:
        raise InvalidInput(errors)
    assert total is not None and other is not None
    narrative = form_text(form, "narrative") or None
    return Figures(total, other, lines, activity, narrative)


@router.post("/dossiers/{application_id}/compte-rendu")
def save(
    request: Request, application_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    service.check_access(db, actor, application_id)
    typed = {k: v for k, v in form.items() if isinstance(v, str)}
    version = form_text(form, "version")
    try:
        service.save_report(
            db, actor, application_id, _figures(form), int(version) if version.isdigit() else None
        )
        if form_text(form, "action") == "submit":
            service.submit_report(db, actor, application_id)
            return redirect(f"/dossiers/{application_id}#compte-rendu", "report_submitted")
    except InvalidInput as exc:
        return show_report(request, db, actor, application_id, field_errors(exc), typed)
    return redirect(f"/dossiers/{application_id}/compte-rendu", "report_saved")


@router.post("/dossiers/{application_id}/compte-rendu/avis")
def review(
    request: Request, application_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    funder = form_text(form, "funder")
    service.check_access(db, actor, application_id, funder=funder)
    outcome = form_text(form, "outcome")
    comment = form_text(form, "comment") or None
    try:
        if outcome not in OUTCOMES:
            raise InvalidInput([FieldError("outcome", "not_a_choice")])
        reduction = parse_money(form_text(form, "reduction"), "reduction", required=False)
        review = Review(
            funder,
            outcome,
            comment,
            reduction,
            form_text(form, "reduction_reason") or None,
        )
        service.review_report(db, actor, application_id, review)
    except InvalidInput as exc:
        typed = {k: v for k, v in form.items() if isinstance(v, str)}
        return show_file(
            request,
            db,
            actor,
            application_id,
            errors={"review": field_errors(exc)},
            values={"review": typed},
        )
    return redirect(f"/dossiers/{application_id}#compte-rendu", "report_reviewed")
