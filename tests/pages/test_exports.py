"""The export buttons of the chair's list, in a real browser: filter the list, click export, and
the downloaded spreadsheet holds the filtered files' shares only (CSV and Excel)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import Seeded
from tests.pages.conftest import file_application, submit_application

FILENAME = re.compile(r"dossiers-\d{4}-\d{2}-\d{2}\.(csv|xlsx)")


def test_the_chair_exports_the_filtered_list_as_csv_and_excel(
    seeded: Seeded, reaap_call: dict[str, Any], visitors: Any
) -> None:
    for holder in ("asso", "other"):
        draft = file_application(seeded, reaap_call["id"], holder)
        submit_application(seeded, draft["id"], holder)
    chair = visitors("chair")
    page = chair.page
    chair.goto("/comite/dossiers")
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_label("Rechercher").fill("voiron")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    reference = page.locator("tbody tr .cf-ref").inner_text()
    chair.check("exports-liste-filtree")

    with page.expect_download() as info:
        page.get_by_role("link", name="Exporter les parts (CSV)").click()
    download = info.value
    assert FILENAME.fullmatch(download.suggested_filename)
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert [(r["Référence"], r["Financeur"]) for r in rows] == [
        (reference, "Caf de l'Isère"),
        (reference, "Département de l'Isère"),
        (reference, "MSA Alpes du Nord"),
    ]
    assert {r["Porteur"] for r in rows} == {"Maison des familles de Voiron"}

    with page.expect_download() as info:
        page.get_by_role("link", name="Exporter les parts (Excel)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.path().read_bytes())).active
    assert sheet is not None
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(v[0], v[6], v[7]) for v in values] == [
        (reference, "Caf de l'Isère", 3000),
        (reference, "Département de l'Isère", 1000),
        (reference, "MSA Alpes du Nord", 1000),
    ]
