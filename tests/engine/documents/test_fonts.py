"""Which font family a PDF is set in: Helvetica for WinAnsi text, the embedded TrueType family
for anything else, and the same words read back either way."""

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from engine.documents.letters import funder_letter
from engine.documents.model import FunderLetter, FunderLine
from engine.documents.pdf import para

LINE = FunderLine(
    funder_code="caf",
    funder_name="Caf de l'Isère",
    outcome="granted",
    requested=Decimal("5000.00"),
    amount=Decimal("4000.00"),
    conditions="Bilan qualitatif à transmettre avant le 31 janvier.",
    advance=Decimal("2800.00"),
    balance=Decimal("1200.00"),
    convention_required=True,
)
LETTER = FunderLetter(
    reference="REAAP-2026-00042",
    issued_on=date(2026, 11, 27),
    department_name="Département : Isère",
    holder_name="Association Cœur & Parents",
    holder_address="12 rue des Alliés, 38100 Grenoble",
    application_title="Café des parents « l'Abbaye »",
    scheme_label="Reaap",
    session_title="Comité des financeurs — séance du 27/11/2026",
    session_date=date(2026, 11, 27),
    funder_name="Caf de l'Isère",
    line=LINE,
    chair_name="Présidence du comité",
)


def fonts_and_text(data: bytes) -> tuple[set[str], bool, str]:
    """Base font names, whether a font file is embedded, and the text with spaces made plain."""
    reader = PdfReader(io.BytesIO(data))
    names: set[str] = set()
    embedded = False
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object().get("/FontDescriptor")
                embedded |= descriptor is not None and "/FontFile2" in descriptor.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded |= descriptor is not None and "/FontFile2" in descriptor.get_object()
    text = "\n".join(page.extract_text() for page in reader.pages)
    return names, embedded, re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def test_a_french_letter_is_set_in_helvetica_and_embeds_no_font() -> None:
    names, embedded, text = fonts_and_text(funder_letter(LETTER))
    assert names <= {"/Helvetica", "/Helvetica-Bold", "/Helvetica-Oblique"}
    assert not embedded
    assert "Association Cœur & Parents" in text
    assert "« Café des parents « l'Abbaye » »" in text
    assert "4 000,00 €" in text


def test_text_outside_winansi_sets_the_whole_letter_in_the_embedded_family() -> None:
    letter = replace(LETTER, holder_name="Łukasz Żółć — Ștefan Ανδρέας")
    names, embedded, text = fonts_and_text(funder_letter(letter))
    assert embedded
    # The canvas's initial font is always listed; the text itself uses the embedded family.
    assert "/Helvetica-Bold" not in names
    assert any(name.endswith("Sans") for name in names)
    assert "Łukasz Żółć — Ștefan Ανδρέας" in text
    assert "4 000,00 €" in text


def test_the_letterhead_alone_can_ask_for_the_embedded_family() -> None:
    # The department is printed in the letterhead's subtitle only.
    letter = replace(LETTER, department_name="Województwo łódzkie")
    _, embedded, text = fonts_and_text(funder_letter(letter))
    assert embedded
    assert "Województwo łódzkie" in text


def test_a_flowable_built_outside_a_document_uses_the_embedded_family() -> None:
    assert para("Łódź").style.fontName != "Helvetica"
