"""The wording of letters and minutes: French phrasing around funder names, reasons under
« Motif », named signatories with their titles, when the balance is paid, unbroken references."""

import io
import re
from dataclasses import replace
from decimal import Decimal

from pypdf import PdfReader

from engine.documents.letters import convocation, decision_letter, funder_letter
from engine.documents.minutes import minutes
from engine.services.letter_content import flag_sentences
from tests.engine.documents.test_letters import (
    CAF,
    DEPARTEMENT,
    ETAT,
    LETTER,
    MSA,
    agenda_item,
    funder_letter_for,
    invitation,
    session_minutes,
)

TITLE = "Présidente du comité des financeurs"
SIGNED = replace(LETTER, chair_title=TITLE)
LONG_REFERENCE = "MEDIATION_FAMILIALE-2026-00013"


def pages(data: bytes) -> list[str]:
    return [
        re.sub(r"\s+", " ", page.extract_text().replace("\u202f", " ").replace("\u00a0", " "))
        for page in PdfReader(io.BytesIO(data)).pages
    ]


def text(data: bytes) -> str:
    return " ".join(pages(data))


def test_the_convention_sentence_names_the_funder_without_needing_an_article():
    content = text(decision_letter(SIGNED))
    assert "entre votre organisme et ce financeur (Caisse d'allocations familiales)" in content
    assert "avec Caisse" not in content


def test_a_refusal_reason_is_printed_under_motif_and_not_as_a_condition():
    refused = replace(ETAT, conditions="Le projet ne relève pas du Clas.", reasons=())
    content = text(decision_letter(replace(SIGNED, lines=(refused,))))
    assert "Motif : Le projet ne relève pas du Clas." in content
    assert "Conditions Refusée" not in content
    # The table's Conditions column stays empty for the refusal.
    assert "4 000,00 € — —" in content


def test_a_refusal_with_failed_rules_gives_the_reason_and_the_rules():
    refused = replace(ETAT, conditions="Hors quartier prioritaire.")
    content = text(funder_letter(funder_letter_for(refused, chair_title=TITLE)))
    assert "Motif : Hors quartier prioritaire." in content
    assert "Règles non remplies :" in content
    assert "ETAT-2014 : L'État ne finance plus ce dispositif depuis 2014." in content


def test_a_deferral_gives_its_reason():
    deferred = replace(MSA, conditions="Budget à préciser.")
    content = text(decision_letter(replace(SIGNED, lines=(deferred,))))
    assert "Motif de l'ajournement : Budget à préciser." in content


def test_the_letter_gives_the_holders_postal_address():
    content = text(decision_letter(SIGNED))
    assert "Association Familles en Fête 12 rue de l'Église 50000 Saint-Lô" in content


def test_letters_are_signed_by_a_named_person_with_a_title():
    for data in (decision_letter(SIGNED), funder_letter(funder_letter_for(CAF, chair_title=TITLE))):
        content = text(data)
        assert f"Pour le comité des financeurs, Marie Lefèvre, {TITLE}" in content
        assert "Présidence du comité" not in content


def test_the_letter_says_the_balance_is_paid_once_the_final_report_is_approved():
    content = text(decision_letter(SIGNED))
    assert (
        "L'acompte de 17 500,00 € est versé après la signature de la convention ; le solde de "
        "7 500,00 € est versé après l'approbation du compte rendu financier de l'action"
    ) in content
    assert "L'acompte de 864,15 € est versé à la notification de la présente décision" in content


def test_a_grant_paid_at_once_says_so():
    whole = replace(DEPARTEMENT, advance=Decimal("1234.50"), balance=Decimal("0.00"))
    content = text(decision_letter(replace(SIGNED, lines=(whole,))))
    assert "La subvention de 1 234,50 € est versée en une fois, à la notification" in content
    assert "solde de" not in content


def test_the_minutes_are_presided_and_signed_by_a_named_person_with_a_title():
    record = replace(session_minutes(agenda_item(1)), chair_title=TITLE)
    content = text(minutes(record))
    assert f"sous la présidence de Marie Lefèvre, {TITLE}." in content
    assert content.rstrip().endswith(f"Fait le 30 novembre 2026, Marie Lefèvre, {TITLE} Page 1 / 1")
    assert "Présidence" not in content


def test_the_signature_of_the_minutes_never_stands_alone_on_a_page():
    for count in range(1, 9):
        record = replace(
            session_minutes(*(agenda_item(n) for n in range(1, count + 1))), chair_title=TITLE
        )
        last = pages(minutes(record))[-1]
        assert "Enveloppes par financeur" in last, count
        assert "Caisse d'allocations familiales 150 000,00 €" in last, count


def test_the_signature_of_a_letter_keeps_its_closing_sentence():
    for count in range(1, 12):
        lines = tuple(replace(CAF, funder_name=f"Financeur {n}") for n in range(count))
        last = pages(decision_letter(replace(SIGNED, lines=lines)))[-1]
        assert "l'expression de nos salutations distinguées" in last, count


def test_decisions_in_the_minutes_call_a_reason_a_reason():
    refused = replace(ETAT, conditions="Hors quartier prioritaire.")
    content = text(minutes(session_minutes(agenda_item(1, lines=(CAF, refused)))))
    assert "État — motif du refus : Hors quartier prioritaire." in content
    assert "Caisse d'allocations familiales — conditions : Bilan qualitatif" in content


def test_a_long_reference_is_never_cut_in_the_convocation_table():
    agenda = ((LONG_REFERENCE, "Médiation familiale en Isère", Decimal("12000.00")),)
    content = text(convocation(invitation(agenda=agenda)))
    assert LONG_REFERENCE in content


def test_plan_flags_name_the_funders_not_their_codes():
    sentences = flag_sentences(
        {"convention_required": ["caf", "departement"]},
        {"caf": "Caf de l'Isère", "departement": "Département de l'Isère"},
    )
    assert sentences == (
        "Convention obligatoire (loi n° 2000-321, art. 10) : Caf de l'Isère, "
        "Département de l'Isère.",
    )
