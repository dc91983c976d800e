"""A payments list as a spreadsheet for a funder's accounting software: French headers, one row
per payment, `;` between columns, UTF-8 with its byte-order mark, dates `jj/mm/aaaa`, amounts
with two decimals and no currency sign, their separator a comma (what a French spreadsheet reads
as a number) or a point (what most accounting imports expect)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from engine.services.payment_list import PaymentRow
from workflows.payment import KIND_LABELS, PAYMENT

HEADERS = (
    "Référence du dossier",
    "Action",
    "Porteur",
    "Financeur",
    "Nature",
    "Montant",
    "État",
    "Échéance",
    "Référence comptable",
    "Payé le",
)
DECIMALS = ("comma", "point")


def inert(text: str) -> str:
    """Text typed by people as a cell a spreadsheet never runs as a formula (OWASP's advice)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def spreadsheet_day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def spreadsheet_amount(value: Decimal, decimal: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if decimal == "comma" else text


def spreadsheet_csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A table as a file a French spreadsheet opens as it is: `;` between columns, CRLF, UTF-8
    with its byte-order mark (the other exports write through it too)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def payments_csv(rows: list[PaymentRow], decimal: str = "comma") -> bytes:
    return spreadsheet_csv(HEADERS, (_row(row, decimal) for row in rows))


def _row(row: PaymentRow, decimal: str) -> tuple[str, ...]:
    payment = row.payment
    return (
        row.application_reference or "",
        inert(row.application_title),
        inert(row.holder),
        row.funder_name,
        KIND_LABELS[payment.kind],
        spreadsheet_amount(payment.amount, decimal),
        PAYMENT.state(payment.state).label,
        spreadsheet_day(payment.due_on),
        inert(payment.reference or ""),
        spreadsheet_day(payment.paid_on),
    )
