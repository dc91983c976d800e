"""The convention between a funder and the holder for one granted share (loi n° 2000-321 du
12 avril 2000, art. 10 ; décret n° 2001-495 du 6 juin 2001): parties, object, amount,
conditions, payment schedule, final report, control and reimbursement, signatures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from engine.documents.pdf import PageDecoration, bullets, document, labelled, para, render, table
from engine.formatting import format_date, format_money, format_percent

COMMITTEE = "Comité des financeurs"
LAW = "loi n° 2000-321 du 12 avril 2000, art. 10 ; décret n° 2001-495 du 6 juin 2001"


@dataclass(frozen=True)
class ConventionText:
    """Everything a convention prints, read from the database beforehand."""

    reference: str
    issued_on: date
    department_name: str
    funder_name: str
    funder_siret: str | None
    holder_name: str
    holder_siret: str | None
    holder_rna: str | None
    holder_address: str | None
    application_title: str
    scheme_label: str
    starts_on: date
    ends_on: date
    total_cost: Decimal
    amount: Decimal
    conditions: str | None
    year: int
    cumulated: Decimal
    threshold: Decimal
    advance_rate: Decimal
    advance: Decimal
    balance: Decimal
    report_due_on: date


@document
def convention(text: ConventionText) -> bytes:
    story: list[Flowable] = [
        para("Convention d'attribution de subvention", "title"),
        para(f"Réf. {text.reference} — établie le {format_date(text.issued_on)}", "small"),
        *_parties(text),
        *_articles(text),
        _signatures(text),
    ]
    page = PageDecoration(
        issuer=text.funder_name,
        subtitle=f"{COMMITTEE} — {text.department_name}",
        footer=f"Convention — {text.funder_name} — réf. {text.reference}",
    )
    return render(story, page, title=f"Convention — {text.application_title}")


def _identity(siret: str | None, rna: str | None = None) -> str:
    parts = [f"SIRET {siret}" if siret else "", f"RNA {rna}" if rna else ""]
    return ", ".join(p for p in parts if p) or "identifiant non renseigné"


def _parties(text: ConventionText) -> list[Flowable]:
    holder = f"{text.holder_name} ({_identity(text.holder_siret, text.holder_rna)})"
    if text.holder_address:
        holder += f", {text.holder_address}"
    return [
        para("Entre les soussignés", "heading"),
        labelled("Le financeur :", f"{text.funder_name} ({_identity(text.funder_siret)}),"),
        para("ci-après « le financeur », d'une part,"),
        labelled("Le bénéficiaire :", f"{holder},"),
        para("ci-après « le bénéficiaire », d'autre part,"),
        para(
            f"il est convenu ce qui suit, en application de la {LAW}, les subventions accordées "
            f"par le financeur au bénéficiaire pour l'année {text.year} s'élevant à "
            f"{format_money(text.cumulated)}, au-delà du seuil de {format_money(text.threshold)}."
        ),
    ]


def _articles(text: ConventionText) -> list[Flowable]:
    balance_terms = (
        f"le solde de {format_money(text.balance)} après l'approbation du compte rendu "
        "financier, pour un montant arrêté au vu des dépenses réellement engagées."
        if text.balance > 0
        else "la subvention étant versée en une seule fois."
    )
    return [
        para("Article 1 — Objet", "heading"),
        para(
            f"La présente convention a pour objet le soutien du financeur à l'action "
            f"« {text.application_title} » ({text.scheme_label}) menée par le bénéficiaire du "
            f"{format_date(text.starts_on)} au {format_date(text.ends_on)}, dont le coût total "
            f"prévisionnel est de {format_money(text.total_cost)}."
        ),
        para("Article 2 — Montant de la subvention", "heading"),
        para(
            f"Le financeur attribue au bénéficiaire une subvention de {format_money(text.amount)}, "
            "décidée en séance du comité des financeurs. Ce montant est un maximum."
        ),
        para("Article 3 — Conditions", "heading"),
        para(
            "Le bénéficiaire s'engage à réaliser l'action décrite dans sa demande et à affecter "
            "la subvention à cette seule action. Toute modification importante de l'action est "
            "signalée sans délai au financeur."
        ),
        *([labelled("Conditions particulières :", text.conditions)] if text.conditions else []),
        para("Article 4 — Modalités de versement", "heading"),
        table(
            ("Versement", "Montant", "Échéance"),
            (
                (
                    f"Acompte ({format_percent(text.advance_rate)})",
                    format_money(text.advance),
                    "à l'entrée en vigueur de la présente convention",
                ),
                ("Solde", format_money(text.balance), "après approbation du compte rendu"),
            ),
            widths=(0.3, 0.2, 0.5),
            numeric=frozenset({1}),
        ),
        para(f"L'acompte est versé à la signature des deux parties ; {balance_terms}"),
        para("Article 5 — Compte rendu financier", "heading"),
        para(
            "Le bénéficiaire transmet au financeur le compte rendu financier de l'action "
            f"(CERFA n° 15059) au plus tard le {format_date(text.report_due_on)}, accompagné "
            "d'un bilan de l'action."
        ),
        para("Article 6 — Contrôle et reversement", "heading"),
        *bullets(
            (
                "Le financeur peut contrôler sur pièces et sur place l'emploi de la subvention ; "
                "le bénéficiaire tient à sa disposition toute pièce justificative.",
                "Si le coût réel de l'action est inférieur au coût prévu, ou si la subvention "
                "n'est pas employée conformément à son objet, le financeur réduit la subvention "
                "et le bénéficiaire reverse les sommes perçues en trop.",
                "À défaut de compte rendu financier, le financeur peut exiger le reversement de "
                "tout ou partie de la subvention.",
            )
        ),
        para("Article 7 — Durée", "heading"),
        para(
            "La présente convention entre en vigueur à sa signature par les deux parties et "
            "prend fin au versement du solde ou au reversement des sommes dues."
        ),
    ]


def _signatures(text: ConventionText) -> Flowable:
    """The two signature blocks side by side, kept together on one page."""
    blocks = table(
        ("Pour le bénéficiaire", "Pour le financeur"),
        (
            (
                f"{text.holder_name}\nNom, qualité, date et signature :\n\n\n\n",
                f"{text.funder_name}\nNom, qualité, date et signature :\n\n\n\n",
            ),
        ),
        widths=(0.5, 0.5),
    )
    return KeepTogether([Spacer(1, 6 * mm), para("Fait en deux exemplaires."), blocks])
