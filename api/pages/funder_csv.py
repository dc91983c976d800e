"""A funder's inbox as a spreadsheet a French office suite opens as it is: `;` between columns,
UTF-8 with its byte-order mark, amounts with a decimal comma and no currency sign, dates
`jj/mm/aaaa`, French headers and French state labels."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from workflows.application import APPLICATION
from workflows.share import SHARE

CSV_LIMIT = 10_000  # rows at most in one export
HEADERS = (
    "Référence",
    "Action",
    "Porteur",
    "Appel à projets",
    "État du dossier",
    "Montant demandé",
    "Montant proposé",
    "Montant accordé",
    "État de la part",
    "Déposé le",
)


def spreadsheet_amount(value: Any) -> str:
    """`"1500.5"` → `1500,50`: what a French spreadsheet reads as a number."""
    if value in (None, ""):
        return ""
    return f"{Decimal(str(value)):.2f}".replace(".", ",")


def inert(text: str) -> str:
    """A holder's text as a cell that a spreadsheet never runs as a formula (`=`, `+`, `-`, `@`,
    tab or carriage return first: OWASP's CSV injection advice)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _day(value: Any) -> str:
    text = str(value or "")
    if len(text) >= 10 and text[4] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
    return ""


def _label(workflow: Any, state: str | None) -> str:
    found = next((s.label for s in workflow.states if s.id == state), None)
    return found or ""


def inbox_csv(items: list[dict[str, Any]], call_titles: dict[int, str]) -> bytes:
    """The rows of the inbox (`items` as the pages read them, with `my_share`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for item in items:
        share = item.get("my_share") or {}
        withdrawn = item.get("state") == "withdrawn"
        writer.writerow(
            (
                item.get("reference") or "",
                inert(item.get("title") or ""),
                inert(((item.get("application") or {}).get("holder") or {}).get("name") or ""),
                call_titles.get(item.get("call_id") or 0, ""),
                _label(APPLICATION, item.get("state")),
                spreadsheet_amount(share.get("requested")),
                "" if withdrawn else spreadsheet_amount(share.get("proposed")),
                spreadsheet_amount(share.get("granted")),
                "Demande retirée" if withdrawn else _label(SHARE, share.get("state")),
                _day(item.get("submitted_at")),
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
