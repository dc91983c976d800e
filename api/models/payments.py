"""Payments: the list each role sees, and the order and payment of one."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Body, Day, MoneyOut, Out
from engine.rulebook.text import Text
from engine.rulebook.types import Day as DayIn
from engine.services.payment_list import PaymentRow


class OrderIn(Body):
    """The funder's accounting reference of its payment order (or recovery order)."""

    reference: Text = Field(min_length=1, max_length=100)


class PayIn(Body):
    """The day the money moved (not in the future); a reference replaces the order's."""

    paid_on: DayIn
    reference: Text | None = Field(default=None, min_length=1, max_length=100)


class PaymentOut(Out):
    id: int
    application_id: int
    application_reference: str | None
    application_title: str
    holder: str
    funder: str
    funder_name: str
    kind: str
    amount: MoneyOut
    state: str
    version: int
    due_on: Day | None
    reference: str | None
    paid_on: Day | None

    @classmethod
    def of(cls, row: PaymentRow) -> PaymentOut:
        p = row.payment
        assert p.id is not None
        return cls(
            id=p.id,
            application_id=p.application_id,
            application_reference=row.application_reference,
            application_title=row.application_title,
            holder=row.holder,
            funder=row.funder_code,
            funder_name=row.funder_name,
            kind=p.kind,
            amount=p.amount,
            state=p.state,
            version=p.version,
            due_on=p.due_on,
            reference=p.reference,
            paid_on=p.paid_on,
        )
