"""Common eligibility rules G1–G9, shared by every scheme (RULES.md §3).

G8 (filed before the call deadline) is enforced by the application workflow, not here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from engine.rulebook import Check, Context, DocumentKind, Rule, check
from engine.rulebook.communes import department_of
from engine.rulebook.money import euros

PARAMETER_ROOT = Path(__file__).parent / "parameters"
CIRCULAR = "Lettre circulaire CNAF 2012-093, §4.3 (critères communs d'éligibilité)"
COMMON_PARAMETERS = ("common.cer_required",)
_ASSOCIATIONS = frozenset({"association"})
# The supporting documents of every scheme (RULES.md §2), the ones G3 requires: a scheme lists
# them in its `documents`, with any of its own after them.
COMMON_DOCUMENTS = (
    DocumentKind("cerfa_12156", "Formulaire CERFA n° 12156 signé"),
    DocumentKind("rib", "Relevé d'identité bancaire (RIB)", reusable=True),
    DocumentKind("budget", "Budget prévisionnel de l'action"),
    DocumentKind("statuts", "Statuts de l'association", _ASSOCIATIONS, reusable=True),
    DocumentKind("officers_list", "Liste des dirigeants", _ASSOCIATIONS, reusable=True),
    DocumentKind("approved_accounts", "Derniers comptes approuvés", _ASSOCIATIONS, reusable=True),
    DocumentKind("activity_report", "Dernier rapport d'activité", _ASSOCIATIONS, reusable=True),
)

_RNA = re.compile(r"W[0-9]{9}")  # ASCII digits only: `\d` also matches other scripts' digits
_LA_POSTE_SIREN = "356000000"  # La Poste's establishments use a digit-sum check instead of Luhn


# Luhn: every second digit from the right is doubled, its digits summed (2 × 7 = 14 → 5).
_DOUBLED = {str(digit): (2 * digit) % 9 if digit != 9 else 9 for digit in range(10)}


def siret_valid(siret: str) -> bool:
    if len(siret) != 14 or not (siret.isascii() and siret.isdigit()):
        return False
    if siret.startswith(_LA_POSTE_SIREN):
        return sum(int(d) for d in siret) % 5 == 0
    # 14 digits: the doubled ones, second from the right on, are at the even positions.
    total = sum(_DOUBLED[char] for char in siret[0::2]) + sum(int(char) for char in siret[1::2])
    return total % 10 == 0


def g1(ctx: Context) -> Check:
    siret = ctx.text("holder.siret")
    if not siret_valid(siret):
        return Check(False, f"Le SIRET {siret} n'est pas valide (14 chiffres, clé de contrôle).")
    if ctx.text("holder.kind") == "association":
        rna = ctx.fact("holder.rna")
        if not isinstance(rna, str) or not _RNA.fullmatch(rna):
            return Check(False, "Le numéro RNA de l'association doit être W suivi de 9 chiffres.")
    return Check(True, "Le SIRET et, pour une association, le numéro RNA sont valides.")


def g2(ctx: Context) -> Check:
    association = ctx.text("holder.kind") == "association"
    if not association or not ctx.switch("common.cer_required", on=ctx.submission_date):
        return Check(
            True, "Le contrat d'engagement républicain n'est pas exigé pour cette demande."
        )
    return check(
        ctx.flag("holder.cer_signed"),
        "Le contrat d'engagement républicain est signé.",
        "L'association n'a pas souscrit le contrat d'engagement républicain.",
    )


def g3(ctx: Context) -> Check:
    """Every document the scheme requires of this kind of holder is joined (its French label
    names each missing one)."""
    holder = ctx.text("holder.kind")
    given = set(ctx.items("documents"))
    ctx.reads.facts["documents"] = sorted(given)
    missing = [
        document.label
        for document in ctx.documents
        if document.required_from(holder) and document.code not in given
    ]
    return check(
        not missing,
        "Toutes les pièces obligatoires sont jointes.",
        f"Pièces manquantes : {', '.join(missing)}.",
    )


def g4(ctx: Context) -> Check:
    if not ctx.flag("renewal"):
        return Check(True, "Première demande : pas de compte rendu financier attendu.")
    previous = ctx.fact("previous_reference")
    if previous:  # known from the record: name the application whose report is missing
        return check(
            ctx.flag("previous_report_filed"),
            f"Le compte rendu financier de la demande {previous} a été déposé.",
            "Renouvellement sans compte rendu financier (CERFA 15059) de la demande "
            f"{previous} : il doit être déposé avant cette nouvelle demande.",
        )
    return check(
        ctx.flag("previous_report_filed"),
        "Le compte rendu financier de la subvention précédente a été déposé.",
        "Renouvellement sans compte rendu financier (CERFA 15059) de la subvention précédente.",
    )


def g5(ctx: Context) -> Check:
    total = ctx.money("budget.total_cost")
    resources = ctx.money("budget.other_resources")
    requests = ctx.fact("requests")
    asked = sum(requests.values(), Decimal(0))
    for code, amount in requests.items():
        ctx.reads.facts[f"requests.{code}"] = amount
    if total == resources + asked:  # the amounts are written only when they are wrong
        return Check(True, "Le budget est équilibré.")
    return Check(
        False,
        f"Budget déséquilibré : coût total {euros(total)} ≠ ressources propres "
        f"{euros(resources)} + demandes {euros(asked)}.",
    )


def g6(ctx: Context) -> Check:
    return check(
        ctx.money("budget.investment_costs") == 0,
        "Le budget ne comporte pas de dépenses d'investissement.",
        "Le budget comporte des dépenses d'investissement, qui ne sont pas financées.",
    )


def g7(ctx: Context) -> Check:
    territory = ctx.items("territory")
    ctx.reads.facts["territory"] = list(territory)
    if not territory:
        return Check(False, "Le territoire de l'action n'est pas renseigné.")
    outside = [code for code in territory if department_of(code) != ctx.department]
    return check(
        not outside,
        f"L'action se déroule dans le département {ctx.department}.",
        f"Communes hors du département {ctx.department} : {', '.join(outside)}.",
    )


def make_g9(label: str) -> Rule:
    """G9 depends on the scheme's calendar (civil or school year), hence a factory."""
    fits = f"L'action tient dans une seule {label}."

    def g9(ctx: Context) -> Check:
        start = ctx.fact("period.start")
        end = ctx.fact("period.end")
        if start > end:
            return Check(False, "La date de fin de l'action précède sa date de début.")
        if ctx.period_end >= end:
            return Check(True, fits)
        return Check(
            False,
            f"L'action déborde de la {label} qui commence le {ctx.reference_date.isoformat()}.",
        )

    return Rule("G9", f"Période de l'action dans une seule {label}", CIRCULAR, g9)


def common_rules(calendar_label: str) -> list[Rule]:
    """G1–G9 for a scheme whose funding period is named `calendar_label` (année civile…)."""
    return [
        Rule("G1", "SIRET valide et, pour une association, numéro RNA", "Décret 2016-1971", g1),
        Rule("G2", "Contrat d'engagement républicain signé", "Loi 2000-321 art. 10-1", g2),
        # Missing documents are asked for: the file is incomplete, not ineligible (RULES.md §3).
        Rule(
            "G3",
            "Pièces obligatoires jointes",
            "CERFA 12156 (notice 51781)",
            g3,
            on_failure="incomplete",
        ),
        Rule("G4", "Compte rendu financier en cas de renouvellement", "CERFA 15059", g4),
        Rule("G5", "Budget équilibré", CIRCULAR, g5),
        Rule("G6", "Pas de dépense d'investissement", "Décret 2018-514", g6),
        Rule("G7", "Action sur le territoire du département", CIRCULAR, g7),
        make_g9(calendar_label),
    ]
