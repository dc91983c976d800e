"""A funder's inbox as a spreadsheet: French amounts and dates, `;`, a BOM, no formula."""

from __future__ import annotations

import csv
import io

from api.pages.funder_csv import inbox_csv, spreadsheet_amount


def test_the_inbox_export_writes_french_amounts_and_never_a_formula() -> None:
    assert spreadsheet_amount("1500.5") == "1500,50"
    assert spreadsheet_amount(None) == ""
    item = {
        "reference": "REAAP-2026-00001",
        "title": '=HYPERLINK("http://example.org")',
        "state": "withdrawn",
        "call_id": 1,
        "application": {"holder": {"name": "Café des parents"}},
        "my_share": {"requested": "3000.00", "proposed": "2800.00", "state": "proposed"},
        "submitted_at": "2026-11-30T10:00:00+00:00",
    }
    text = inbox_csv([item], {1: "Reaap 2026"}).decode("utf-8")
    assert text.startswith("\ufeffRéférence;Action;Porteur;")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[1].startswith("'=")
    assert row[4:9] == ["Retiré", "3000,00", "", "", "Demande retirée"]
    assert row[9] == "30/11/2026"
