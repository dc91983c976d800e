"""The attendance sheet: a row per member with its funder and a box to sign, what is known
before the session printed, the names printed literally (never read as markup)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from pypdf import PdfReader

from engine.documents.attendance_sheet import AttendanceSheet, SheetLine, attendance_sheet

HOSTILE = '<a href="javascript:alert(1)">x</a>'


def text_of(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def test_the_sheet_lists_each_member_with_its_funder_and_what_is_known() -> None:
    record = AttendanceSheet(
        session_title="Comité des financeurs Reaap",
        starts_at=datetime(2026, 12, 3, 13, 30, tzinfo=UTC),
        location="Hôtel du Département, Grenoble",
        chair_name="Claire Morel, Présidente du comité des financeurs",
        lines=(
            SheetLine("Sophie Garnier", "Caf de l'Isère", ""),
            SheetLine("Marc Lefèvre", "Caf de l'Isère", "Excusé(e)"),
            SheetLine(HOSTILE, "Ville de Grenoble", "Représenté(e) par Isabelle Roux"),
        ),
    )
    text = text_of(attendance_sheet(record))
    assert "Feuille de présence — séance du 3 décembre 2026" in text
    assert "3 décembre 2026 à 14 h 30" in text  # the hour in Paris
    for expected in ("Sophie Garnier", "Marc Lefèvre", "Excusé(e)", "Signature"):
        assert expected in text, expected
    # Printed as typed, not as a link (the narrow column may wrap it).
    assert HOSTILE.replace(" ", "") in text.replace(" ", "")
    assert "Représenté(e) par Isabelle Roux" in text
