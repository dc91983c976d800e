"""The convention PDF: French throughout, every clause the law asks for, user text inert."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from engine.documents.convention import ConventionText, convention

TEXT = ConventionText(
    reference="REAAP-2027-00012",
    issued_on=date(2027, 3, 1),
    department_name="Département : Isère",
    funder_name="Caf de l'Isère",
    funder_siret="53408366500016",
    holder_name="Café des parents de l'Abbaye",
    holder_siret="78778932087925",
    holder_rna="W381000123",
    holder_address="3 rue de l'Abbaye, 38000 Grenoble",
    application_title="Café des parents",
    scheme_label="Reaap",
    starts_on=date(2027, 2, 1),
    ends_on=date(2027, 12, 15),
    total_cost=Decimal("40000.00"),
    amount=Decimal("23500.00"),
    conditions="Bilan qualitatif attendu",
    year=2027,
    cumulated=Decimal("23500.00"),
    threshold=Decimal("23000.00"),
    advance_rate=Decimal("0.70"),
    advance=Decimal("16450.00"),
    balance=Decimal("7050.00"),
    report_due_on=date(2028, 6, 15),
)


def text_of(data: bytes) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def test_the_convention_states_parties_object_amount_schedule_report_and_control() -> None:
    text = text_of(convention(TEXT))
    for words in (
        "Caf de l'Isère (SIRET 53408366500016)",
        "Café des parents de l'Abbaye (SIRET 78778932087925, RNA W381000123)",
        "du 1er février 2027 au 15 décembre 2027",
        "une subvention de 23 500,00 €",
        "Conditions particulières : Bilan qualitatif attendu",
        "Acompte (70 %) 16 450,00 €",
        "Solde 7 050,00 €",
        "au plus tard le 15 juin 2028",
        "contrôler sur pièces et sur place",
        "reverse les sommes perçues en trop",
        "Pour le bénéficiaire",
        "Pour le financeur",
    ):
        assert words in text, words


def test_a_grant_paid_at_once_has_no_balance_and_markup_stays_text() -> None:
    paid_once = replace(
        TEXT,
        holder_name='<b>Parents</b> <img src="/etc/hostname"/>',
        advance_rate=Decimal("1"),
        advance=Decimal("23500.00"),
        balance=Decimal("0.00"),
        funder_siret=None,
    )
    text = text_of(convention(paid_once))
    assert '<b>Parents</b> <img src="/etc/hostname"/>' in text
    assert "la subvention étant versée en une seule fois" in text
    assert "Caf de l'Isère (identifiant non renseigné)" in text
