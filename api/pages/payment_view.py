"""The file page's payments: what each funder pays the holder (advance, balance) or claims back
(recovery), with its state and dates, as the holder follows its money."""

from __future__ import annotations

from typing import Any

from engine.access import Actor
from engine.db import Database
from engine.services.funding import funding
from workflows.payment import KIND_LABELS


def payment_rows(
    db: Database, actor: Actor, application_id: int, names: dict[str, str]
) -> list[dict[str, Any]]:
    """The file's payments (cancelled ones left out: they were replaced and never paid)."""
    found = funding(db, actor, application_id)
    rows = []
    for payment in found.payments:
        if payment.state == "cancelled":
            continue
        code = found.code(payment.funder_id)
        rows.append(
            {
                "funder": names.get(code, code),
                "kind": KIND_LABELS.get(payment.kind, ""),
                "amount": payment.amount,
                "state": payment.state,
                "due_on": payment.due_on,
                "paid_on": payment.paid_on,
                "recovery": payment.kind == "recovery",
            }
        )
    return rows
