"""Payments: each role's list (and its spreadsheet), the order and the payment of one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep, IfMatch
from api.errors import error_responses
from api.models.common import MAX_ID, binary_response
from api.models.payments import OrderIn, PayIn, PaymentOut
from engine.rulebook.text import Text
from engine.services.payment_export import payments_csv
from engine.services.payment_list import list_payments, payment_row
from engine.services.payments import order_payment, pay_payment

router = APIRouter(tags=["payments"])
LIST = error_responses(401, 403, 422)
ACT = error_responses(401, 403, 404, 409, 422)
PaymentId = Annotated[int, Path(ge=1, le=MAX_ID)]
Filter = Annotated[Text | None, Query(max_length=50)]


@router.get("/payments", response_model=list[PaymentOut], responses=LIST)
def get_payments(
    db: DatabaseDep,
    actor: CurrentActor,
    funder: Filter = None,
    state: Filter = None,
    kind: Filter = None,
) -> list[PaymentOut]:
    """A funder's members see their funder's payments, a holder its own files', the chair and
    the administrator every one; `funder`, `state` and `kind` narrow the list."""
    return [PaymentOut.of(r) for r in list_payments(db, actor, funder, state, kind)]


@router.get(
    "/payments.csv",
    response_class=Response,
    responses={**binary_response("The list as a spreadsheet (CSV)", "text/csv"), **LIST},
)
def get_payments_csv(
    db: DatabaseDep,
    actor: CurrentActor,
    funder: Filter = None,
    state: Filter = None,
    kind: Filter = None,
    decimal: Literal["comma", "point"] = "comma",
) -> Response:
    """The same list for an accounting software: French headers, one row per payment, `;`,
    UTF-8 with its byte-order mark, amounts with a decimal comma (or point: `decimal=point`)."""
    rows = list_payments(db, actor, funder, state, kind)
    return Response(
        payments_csv(rows, decimal),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="versements.csv"'},
    )


@router.post("/payments/{payment_id}/order", response_model=PaymentOut, responses=ACT)
def post_order(
    payment_id: PaymentId, body: OrderIn, db: DatabaseDep, actor: CurrentActor, version: IfMatch
) -> PaymentOut:
    """A member of the payment's funder orders it with its accounting reference (409 unless it
    is scheduled)."""
    order_payment(db, actor, payment_id, body.reference, version)
    return PaymentOut.of(payment_row(db, actor, payment_id))


@router.post("/payments/{payment_id}/pay", response_model=PaymentOut, responses=ACT)
def post_pay(
    payment_id: PaymentId, body: PayIn, db: DatabaseDep, actor: CurrentActor, version: IfMatch
) -> PaymentOut:
    """A member of the payment's funder marks it paid on `paid_on` (409 before its order or a
    second time)."""
    pay_payment(db, actor, payment_id, body.paid_on, body.reference, version)
    return PaymentOut.of(payment_row(db, actor, payment_id))
