"""A payments list as a spreadsheet for a funder's accounting software: French headers, one row
per payment, `;` between columns, UTF-8 with its byte-order mark, dates `jj/mm/aaaa`, amounts
with two decimals and no currency sign, their separator a comma (what a French spreadsheet reads
as a number) or a point (what most accounting imports expect)."""

from __future__ import annotations

import csv
import io
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


def _inert(text: str) -> str:
    """Text typed by people as a cell a spreadsheet never runs as a formula (OWASP's advice)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _amount(value: Decimal, decimal: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if decimal == "comma" else text


def payments_csv(rows: list[PaymentRow], decimal: str = "comma") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        payment = row.payment
        writer.writerow(
            (
                row.application_reference or "",
                _inert(row.application_title),
                _inert(row.holder),
                row.funder_name,
                KIND_LABELS[payment.kind],
                _amount(payment.amount, decimal),
                PAYMENT.state(payment.state).label,
                _day(payment.due_on),
                _inert(payment.reference or ""),
                _day(payment.paid_on),
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
