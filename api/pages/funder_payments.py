"""A funder's payments: the list with its filters, the order and payment forms of each row, and
the spreadsheet for its accounting software."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.web import PageActor, PageRoute, PostedForm, form_text, redirect, render
from engine.access import Actor, require_role
from engine.clock import now, paris_date
from engine.db import Database
from engine.rulebook import FieldError, InvalidInput
from engine.services.payment_export import DECIMALS, payments_csv
from engine.services.payment_list import list_payments
from engine.services.payments import order_payment, pay_payment
from workflows.payment import KIND_LABELS, KINDS, PAYMENT

router = APIRouter(route_class=PageRoute)
PAGE = "/financeur/versements"


def _filters(request: Request) -> dict[str, str]:
    """The filters chosen (unknown values are dropped, not refused: a page shows all then)."""
    params = request.query_params
    state = params.get("etat") or ""
    kind = params.get("nature") or ""
    return {
        "etat": state if state in PAYMENT.state_ids() else "",
        "nature": kind if kind in KINDS else "",
    }


def _page(
    request: Request,
    db: Database,
    actor: Actor,
    errors: dict[int, dict[str, str]] | None = None,
    values: dict[int, dict[str, str]] | None = None,
) -> Response:
    chosen = _filters(request)
    rows = list_payments(db, actor, None, chosen["etat"] or None, chosen["nature"] or None)
    query = {k: v for k, v in chosen.items() if v}
    return render(
        request,
        "funder/payments.html",
        {
            "rows": rows,
            "chosen": chosen,
            "states": [(s.id, s.label) for s in PAYMENT.states],
            "kinds": list(KIND_LABELS.items()),
            "kind_labels": KIND_LABELS,
            "csv_query": urlencode(query),
            "back": PAGE + ("?" + urlencode(query) if query else ""),
            "row_errors": errors or {},
            "row_values": values or {},
            "today": paris_date(now()).isoformat(),
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get(PAGE)
def payments_page(request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "funder")
    return _page(request, db, actor)


@router.get(PAGE + ".csv")
def payments_spreadsheet(
    request: Request, db: DatabaseDep, actor: PageActor, decimal: str = "comma"
) -> Response:
    require_role(actor, "funder")
    chosen = _filters(request)
    rows = list_payments(db, actor, None, chosen["etat"] or None, chosen["nature"] or None)
    return Response(
        payments_csv(rows, decimal if decimal in DECIMALS else "comma"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="versements.csv"'},
    )


def _back(form: Any) -> str:
    # Back to the list as it was filtered; only a path of this page (never another site).
    target = form_text(form, "retour")
    return target if target == PAGE or target.startswith(PAGE + "?") else PAGE


@router.post(PAGE + "/{payment_id}/ordonner")
def order(
    payment_id: int, request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "funder")
    reference = form_text(form, "reference")
    try:
        if not reference:
            raise InvalidInput([FieldError("reference", "required")])
        order_payment(db, actor, payment_id, reference)
    except InvalidInput as exc:
        errors = {e.field: e.message for e in exc.errors}
        return _page(request, db, actor, {payment_id: errors}, {payment_id: form_values(form)})
    return redirect(_back(form), "payment_ordered")


@router.post(PAGE + "/{payment_id}/payer")
def pay(
    payment_id: int, request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "funder")
    raw = form_text(form, "paid_on")
    try:
        try:
            paid_on = date.fromisoformat(raw)
        except ValueError:
            code = "required" if not raw else "date_expected"
            raise InvalidInput([FieldError("paid_on", code)]) from None
        pay_payment(db, actor, payment_id, paid_on)
    except InvalidInput as exc:
        errors = {e.field: e.message for e in exc.errors}
        return _page(request, db, actor, {payment_id: errors}, {payment_id: form_values(form)})
    return redirect(_back(form), "payment_paid")


def form_values(form: Any) -> dict[str, str]:
    return {k: form_text(form, k) for k in ("reference", "paid_on")}
