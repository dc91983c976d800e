"""The settlement letters (DESIGN §10): one to the holder stating the whole calculation, one per
funder stating its own line; both say the formula and the figures it read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from engine.documents.pdf import (
    PageDecoration,
    bullets,
    document,
    labelled,
    para,
    render,
    signature,
    table,
)
from engine.formatting import NBSP, format_date, format_money

COMMITTEE = "Comité des financeurs"


@dataclass(frozen=True)
class SettlementLetterLine:
    funder_name: str
    granted: Decimal
    reduction: Decimal
    extra: Decimal
    extra_reason: str | None
    final: Decimal
    paid: Decimal
    balance: Decimal
    recovery: Decimal


@dataclass(frozen=True)
class SettlementLetter:
    """What a settlement letter says; `funder_name` set for a funder's own letter."""

    reference: str
    issued_on: date
    department_name: str
    holder_name: str
    holder_address: str | None
    application_title: str
    total_cost: Decimal
    other_resources: Decimal
    total_granted: Decimal
    excess: Decimal
    lines: tuple[SettlementLetterLine, ...]
    explanation: tuple[str, ...]
    chair_name: str
    chair_title: str
    funder_name: str | None = None


@document
def settlement_letter(letter: SettlementLetter) -> bytes:
    """The holder's consolidated letter, or (with `funder_name`) one funder's."""
    m = format_money
    story: list[Flowable] = [
        para(f"Le {format_date(letter.issued_on)}", "right"),
        para(f"Réf. : {letter.reference}", "small"),
        para(letter.holder_name, "address"),
    ]
    if letter.holder_address:
        story.append(para(letter.holder_address, "address"))
    story += [
        Spacer(1, 4 * mm),
        labelled("Objet :", f"solde de la subvention — {letter.application_title}"),
        para("Madame, Monsieur,"),
        para(
            f"Le compte rendu financier de l'action «{NBSP}{letter.application_title}{NBSP}» a "
            "été approuvé. Le montant définitif de chaque subvention est arrêté au vu du coût "
            "réel de l'action : aucun financeur ne peut financer plus que ce coût, net des "
            "autres ressources ; un excédent est repris au prorata des parts accordées."
        ),
        para("Les chiffres retenus", "heading"),
        labelled("Coût réel de l'action :", m(letter.total_cost)),
        labelled("Autres ressources réelles :", m(letter.other_resources)),
        labelled("Aides accordées par les financeurs du plan :", m(letter.total_granted)),
        labelled("Excédent repris :", m(letter.excess)),
        para("Le calcul", "heading"),
        table(
            ("Financeur", "Accordé", "Réduction", "Définitif", "Déjà versé", "Solde", "À reverser"),
            (
                (
                    line.funder_name,
                    m(line.granted),
                    m(line.reduction + line.extra),
                    m(line.final),
                    m(line.paid),
                    m(line.balance),
                    m(line.recovery),
                )
                for line in letter.lines
            ),
            widths=(0.22, 0.13, 0.13, 0.13, 0.13, 0.13, 0.13),
            numeric=frozenset({1, 2, 3, 4, 5, 6}),
        ),
        *bullets(letter.explanation),
        *_consequences(letter),
        Spacer(1, 4 * mm),
        signature(
            f"Pour le {COMMITTEE.lower()},",
            f"{letter.chair_name}, {letter.chair_title}"
            if letter.chair_title
            else letter.chair_name,
            after=para(
                "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations "
                "distinguées."
            ),
        ),
    ]
    issuer = letter.funder_name or letter.department_name
    page = PageDecoration(
        issuer=issuer,
        subtitle=COMMITTEE
        if letter.funder_name is None
        else f"{COMMITTEE} — {letter.department_name}",
        footer=f"Solde de la subvention — réf. {letter.reference}",
    )
    return render(story, page, title=f"Solde — {letter.application_title}")


def _consequences(letter: SettlementLetter) -> list[Flowable]:
    """What follows for the holder, funder by funder."""
    said = []
    for line in letter.lines:
        if line.balance > 0:
            said.append(
                f"{line.funder_name} vous versera le solde de {format_money(line.balance)}."
            )
        elif line.recovery > 0:
            said.append(
                f"Vous reverserez {format_money(line.recovery)} à ce financeur "
                f"({line.funder_name}) : un titre de recette vous sera adressé."
            )
        else:
            said.append(f"{line.funder_name} : rien ne reste à verser ni à reverser.")
    return [para("Ce qui en découle", "heading"), *bullets(said)]
