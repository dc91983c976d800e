"""Espaces de rencontre — lieux de maintien des liens enfant-parent (RULES.md §4)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from engine.rulebook import Check, Context, Day, Flag, Money, Rule, SchemeModule, check
from engine.rulebook.money import euros
from rules.common import COMMON_DOCUMENTS, COMMON_PARAMETERS, PARAMETER_ROOT, common_rules

DECREE = "Décret n° 2012-1153 du 15 octobre 2012 ; CASF art. D. 216-1 et suivants"


class EspaceRencontreFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    approval_valid_until: Day = Field(title="Agrément préfectoral valable jusqu'au")
    max_fee_per_visit: Money = Field(title="Participation maximale par visite (€)")
    free_access_guaranteed: Flag = Field(
        title="Gratuité garantie aux familles qui ne peuvent payer"
    )
    confidentiality: Flag = Field(title="Confidentialité garantie")


def e1(ctx: Context) -> Check:
    until = ctx.fact("facts.approval_valid_until")
    end = ctx.fact("period.end")
    if until >= end:
        return Check(
            True, f"L'agrément préfectoral couvre toute l'action (jusqu'au {until.isoformat()})."
        )
    return Check(
        False, f"L'agrément préfectoral expire le {until.isoformat()}, avant la fin de l'action."
    )


def e2(ctx: Context) -> Check:
    fee = ctx.money("facts.max_fee_per_visit")
    limit = ctx.param("espace_rencontre.symbolic_fee")
    if fee > limit:
        return Check(
            False,
            f"La participation ({euros(fee)}) dépasse le montant symbolique de {euros(limit)}.",
        )
    return check(
        ctx.flag("facts.free_access_guaranteed"),
        "La participation est gratuite ou symbolique et n'empêche jamais l'accès.",
        "L'accès n'est pas garanti aux familles qui ne peuvent pas payer.",
    )


def e3(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.confidentiality"),
        "La confidentialité des rencontres est garantie.",
        "La confidentialité des rencontres n'est pas garantie.",
    )


module = SchemeModule(
    code="espace_rencontre",
    label="Espace de rencontre",
    calendar="civil",
    facts=EspaceRencontreFacts,
    rules=[
        *common_rules("année civile"),
        Rule("E1", "Agrément préfectoral valide", DECREE, e1),
        Rule("E2", "Participation gratuite ou symbolique", DECREE, e2),
        Rule("E3", "Confidentialité", DECREE, e3),
    ],
    parameters=(*COMMON_PARAMETERS, "espace_rencontre.symbolic_fee"),
    parameter_root=PARAMETER_ROOT,
    documents=COMMON_DOCUMENTS,
)
