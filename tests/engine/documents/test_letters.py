"""The PDF documents, read back with pypdf: what the holder, the funders and the minutes say."""

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from engine.documents.fonts import pdf_text
from engine.documents.letters import convocation, decision_letter, funder_letter
from engine.documents.minutes import minutes
from engine.documents.model import (
    Convocation,
    DecisionLetter,
    EnvelopeLine,
    FunderLetter,
    FunderLine,
    Minutes,
    MinutesItem,
)

LINK = '<a href="javascript:alert(1)">x</a>'
IMAGE = '<img src="/etc/hostname"/>'

CAF = FunderLine(
    funder_code="caf",
    funder_name="Caisse d'allocations familiales",
    outcome="granted",
    requested=Decimal("30000.00"),
    amount=Decimal("25000.00"),
    conditions="Bilan qualitatif avant le 30 juin 2027.",
    advance=Decimal("17500.00"),
    balance=Decimal("7500.00"),
    convention_required=True,
    proposed=Decimal("24000.00"),
)
ETAT = FunderLine(
    funder_code="etat",
    funder_name="État",
    outcome="refused",
    requested=Decimal("4000.00"),
    amount=Decimal("0.00"),
    conditions=None,
    advance=None,
    balance=None,
    convention_required=False,
    reasons=(("ETAT-2014", "L'État ne finance plus ce dispositif depuis 2014."),),
)
DEPARTEMENT = FunderLine(
    funder_code="departement",
    funder_name="Département de la Manche",
    outcome="granted",
    requested=Decimal("5000.00"),
    amount=Decimal("1234.50"),
    conditions=None,
    advance=Decimal("864.15"),
    balance=Decimal("370.35"),
    convention_required=False,
)
MSA = FunderLine(
    funder_code="msa",
    funder_name="MSA Côtes Normandes",
    outcome="deferred",
    requested=Decimal("2000.00"),
    amount=None,
    conditions=None,
    advance=None,
    balance=None,
    convention_required=False,
)

LETTER = DecisionLetter(
    reference="AAP-2026-0042",
    issued_on=date(2026, 12, 1),
    department_name="Département de la Manche",
    holder_name="Association Familles en Fête",
    holder_address="12 rue de l'Église\n50000 Saint-Lô",
    application_title="Ateliers parents-enfants",
    scheme_label="Reaap",
    session_title="Comité Reaap n° 3",
    session_date=date(2026, 11, 27),
    lines=(CAF, ETAT, DEPARTEMENT, MSA),
    common_failures=(),
    chair_name="Marie Lefèvre",
)

APPEAL = (
    "recours contentieux devant le tribunal administratif dans un délai de deux mois à compter "
    "de la notification"
)
CONVENTION = "loi n° 2000-321 du 12 avril 2000, art. 10 ; décret n° 2001-495"


def funder_letter_for(line: FunderLine, **changes: Any) -> FunderLetter:
    fields: dict[str, Any] = {
        name: getattr(LETTER, name)
        for name in (
            "reference",
            "issued_on",
            "department_name",
            "holder_name",
            "holder_address",
            "application_title",
            "scheme_label",
            "session_title",
            "session_date",
            "chair_name",
        )
    }
    fields.update(changes)
    return FunderLetter(**fields, funder_name=line.funder_name, line=line)


def agenda_item(number: int, **changes: Any) -> MinutesItem:
    item = MinutesItem(
        reference=f"AAP-2026-{number:04d}",
        title=f"Action parentalité numéro {number}",
        holder_name=f"Centre social {number}",
        status_label="Décidée",
        total_cost=Decimal("40000.00"),
        flags=("Reste à financer : 8 765,50 €.",),
        lines=(CAF, ETAT),
    )
    return replace(item, **changes)


def session_minutes(*items: MinutesItem) -> Minutes:
    return Minutes(
        session_title="Comité Reaap n° 3",
        starts_at=datetime(2026, 11, 27, 13, 30, tzinfo=UTC),
        location="Maison du Département, Saint-Lô",
        chair_name="Marie Lefèvre",
        attendance=("Marie Lefèvre (Département)", "Paul Martin (CAF)"),
        items=items,
        envelopes=(
            EnvelopeLine(
                "Caisse d'allocations familiales",
                envelope=Decimal("150000.00"),
                granted=Decimal("148000.00"),
                proposed=Decimal("12345.67"),
                exceeded=Decimal("10345.67"),
            ),
            EnvelopeLine(
                "Département de la Manche",
                envelope=Decimal("50000.00"),
                granted=Decimal("1234.50"),
                proposed=Decimal("0.00"),
                exceeded=None,
            ),
        ),
        issued_on=date(2026, 11, 30),
    )


def invitation(agenda_size: int = 2, **changes: Any) -> Convocation:
    invite = Convocation(
        session_title="Comité Reaap n° 3",
        starts_at=datetime(2026, 11, 27, 13, 30, tzinfo=UTC),
        location="Maison du Département, Saint-Lô",
        recipient_name="Paul Martin",
        agenda=tuple(
            (f"AAP-2026-{n:04d}", f"Action parentalité numéro {n}", Decimal("1234.50"))
            for n in range(1, agenda_size + 1)
        ),
        issued_on=date(2026, 11, 13),
        chair_name="Marie Lefèvre",
    )
    return replace(invite, **changes)


def spaced(text: str) -> str:
    """Text with every kind of space (U+202F, U+00A0, line breaks) as one plain space."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def page_texts(data: bytes) -> list[str]:
    return [spaced(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def text(data: bytes) -> str:
    return " ".join(page_texts(data))


def squeezed(value: str) -> str:
    """Without any whitespace: a long word wrapped in a narrow cell still matches."""
    return "".join(value.split())


def test_the_decision_letter_names_the_holder_every_funder_and_french_amounts():
    content = text(decision_letter(LETTER))
    assert "Association Familles en Fête" in content
    assert "50000 Saint-Lô" in content
    for line in LETTER.lines:
        assert line.funder_name in content
    for amount in ("30 000,00 €", "25 000,00 €", "4 000,00 €", "1 234,50 €", "2 000,00 €"):
        assert amount in content


def test_the_decision_letter_is_dated_in_french_and_names_its_subject():
    content = text(decision_letter(LETTER))
    assert "Le 1er décembre 2026" in content
    assert "réuni le 27 novembre 2026" in content
    assert "Objet : décision du comité des financeurs — Ateliers parents-enfants" in content
    assert "Département de la Manche" in content
    assert "Comité des financeurs" in content


def test_the_decision_letter_gives_each_decision_and_the_total_granted():
    content = text(decision_letter(LETTER))
    for label in ("Accordée", "Refusée", "Ajournée"):
        assert label in content
    assert "Bilan qualitatif avant le 30 juin 2027." in content
    assert "réexaminée lors d'une prochaine séance" in content
    assert "Montant total accordé : 26 234,50 €" in content


def test_a_granted_share_shows_its_payment_schedule():
    content = text(decision_letter(LETTER))
    assert "Acompte : 17 500,00 € — Solde : 7 500,00 €" in content
    assert "Acompte : 864,15 € — Solde : 370,35 €" in content


def test_a_refusal_gives_its_rule_ids_and_messages():
    content = text(decision_letter(LETTER))
    assert "ETAT-2014 : L'État ne finance plus ce dispositif depuis 2014." in content


def test_the_convention_sentence_appears_only_when_a_convention_is_required():
    assert CONVENTION in text(decision_letter(LETTER))
    without = replace(LETTER, lines=(replace(CAF, convention_required=False), ETAT))
    assert "2000-321" not in text(decision_letter(without))


def test_common_failures_are_listed_only_when_present():
    assert "Conditions communes" not in text(decision_letter(LETTER))
    failing = replace(LETTER, common_failures=(("COMMON-CER", "Contrat non souscrit."),))
    content = text(decision_letter(failing))
    assert "Conditions communes du dispositif non remplies" in content
    assert "COMMON-CER : Contrat non souscrit." in content


def test_the_decision_letter_states_the_appeal_rights_and_is_signed_by_the_chair():
    content = text(decision_letter(LETTER))
    assert "recours gracieux auprès de" in content
    assert APPEAL in content
    assert "Marie Lefèvre" in content


def test_the_funder_letter_is_on_the_funders_letterhead_with_only_its_decision():
    pages = page_texts(funder_letter(funder_letter_for(CAF)))
    assert pages[0].startswith("Caisse d'allocations familiales")
    content = " ".join(pages)
    assert "Acompte : 17 500,00 € — Solde : 7 500,00 €" in content
    assert CONVENTION in content
    assert (
        f"recours gracieux auprès de ce financeur (Caisse d'allocations familiales) ou {APPEAL}"
        in content
    )
    assert "État" not in content
    assert "MSA" not in content


def test_a_refusing_funder_letter_gives_its_reasons_and_no_schedule():
    content = text(funder_letter(funder_letter_for(ETAT)))
    assert "Refusée" in content
    assert "ETAT-2014" in content
    assert "Acompte" not in content
    assert "2000-321" not in content


def test_the_convocation_gives_the_paris_time_place_and_agenda():
    content = text(convocation(invitation()))
    assert "27 novembre 2026 à 14 h 30" in content
    assert "Maison du Département, Saint-Lô" in content
    assert "Paul Martin" in content
    for reference in ("AAP-2026-0001", "AAP-2026-0002"):
        assert reference in content
    assert "Total des demandes 2 469,00 €" in content


def test_the_minutes_contain_every_agenda_item_its_plan_and_the_envelope_totals():
    items = [agenda_item(1), agenda_item(2, flags=())]
    content = text(minutes(session_minutes(*items)))
    assert "Procès-verbal de la séance du 27 novembre 2026" in content
    assert "Paul Martin (CAF)" in content
    for item in items:
        assert item.reference in content
        assert item.title in content
        assert item.holder_name in content
    assert "Reste à financer : 8 765,50 €." in content
    assert "Aucun point d'attention." in content
    assert "30 000,00 € 24 000,00 € 25 000,00 € Accordée" in content
    assert "ETAT-2014" in content
    for total in ("150 000,00 €", "148 000,00 €", "12 345,67 €", "10 345,67 €", "50 000,00 €"):
        assert total in content


def hostile_documents() -> dict[str, bytes]:
    hostile_line = replace(CAF, funder_name=LINK, conditions=f"{LINK} {IMAGE}")
    letter = replace(
        LETTER,
        holder_name=LINK,
        holder_address=IMAGE,
        application_title=f"{IMAGE} {LINK}",
        lines=(hostile_line, ETAT),
    )
    item = agenda_item(1, title=IMAGE, holder_name=LINK, flags=(LINK,), lines=(hostile_line,))
    return {
        "decision letter": decision_letter(letter),
        "funder letter": funder_letter(funder_letter_for(hostile_line, holder_name=LINK)),
        "convocation": convocation(invitation(recipient_name=LINK, location=IMAGE)),
        "minutes": minutes(replace(session_minutes(item), attendance=(LINK, IMAGE))),
    }


@pytest.mark.parametrize("kind", ["decision letter", "funder letter", "convocation", "minutes"])
def test_hostile_markup_is_printed_literally_never_as_a_link_or_an_image(kind):
    data = hostile_documents()[kind]
    content = text(data)
    assert squeezed(LINK) in squeezed(content)
    if kind != "funder letter":
        assert squeezed(IMAGE) in squeezed(content)
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert "/Annots" not in page
        assert not page.images
    assert b"/URI" not in data
    assert b"/JavaScript" not in data
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_text().strip():
        literal_removed = squeezed(content).replace(squeezed(IMAGE), "").replace(squeezed(LINK), "")
        assert squeezed(hostname.read_text()) not in literal_removed


@pytest.mark.parametrize("kind", ["convocation", "minutes"])
def test_a_long_agenda_spans_several_pages_each_numbered(kind):
    if kind == "convocation":
        data = convocation(invitation(agenda_size=60))
    else:
        data = minutes(session_minutes(*(agenda_item(n) for n in range(1, 61))))
    pages = page_texts(data)
    assert len(pages) >= 2
    for number, content in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in content
    content = " ".join(pages)
    assert all(f"AAP-2026-{n:04d}" in content for n in range(1, 61))


def test_the_same_letter_renders_to_the_same_bytes():
    assert decision_letter(LETTER) == decision_letter(LETTER)


def test_narrow_spaces_become_no_break_spaces_in_pdfs_which_keep_an_amount_on_one_line():
    assert pdf_text("1\u202f234,50\u00a0€") == "1\u00a0234,50\u00a0€"


def test_a_long_reason_broken_across_pages_prints_whole_and_the_same_every_time():
    """The line breaking of a bold label and its text is kept across letters; the letter whose
    reason runs onto a second page is laid out from its own words, the same each time, and no
    other letter is changed by it."""
    reason = "Le budget présenté ne permet pas d'apprécier la part de chaque financeur ; " * 70
    refused = replace(ETAT, outcome="refused", conditions=reason, amount=None)
    long_letter = funder_letter_for(refused)
    short_letter = funder_letter_for(CAF)
    first_short = funder_letter(short_letter)
    renders = [funder_letter(long_letter) for _ in range(3)]
    assert renders[1] == renders[0] and renders[2] == renders[0]
    pages = page_texts(renders[0])
    assert len(pages) >= 2
    assert squeezed(" ".join(pages)).count("chaquefinanceur;") == 70  # every sentence printed
    assert APPEAL in pages[-1]
    assert funder_letter(short_letter) == first_short
