"""The State (préfecture / DDETS): left Reaap, MF and ER in 2014; Clas in QPV (RULES.md §5)."""

from __future__ import annotations

from engine.rulebook import FunderModule, FunderRule, ShareContext, ShareOutcome
from engine.rulebook.money import count, euros
from rules.common import PARAMETER_ROOT


def etat_2014(ctx: ShareContext) -> ShareOutcome:
    if ctx.switch("etat.funds_parenting_schemes"):
        return ShareOutcome(True, None, "L'État décide de sa part en séance.", "décision en séance")
    return ShareOutcome(
        False,
        None,
        "Depuis 2014, l'État ne finance plus ce dispositif (crédits regroupés à la Caf).",
        "État financeur du dispositif à la date de référence",
    )


def etat_clas(ctx: ShareContext) -> ShareOutcome:
    if not ctx.flag("facts.qpv"):
        return ShareOutcome(
            False,
            None,
            "L'État ne finance le Clas qu'en quartier prioritaire de la politique de la ville.",
            "qpv",
        )
    forfait = ctx.param("etat.clas.forfait")
    groups = len(ctx.passing_items.get("groups", []))
    ctx.reads.facts["groups eligible (count)"] = groups
    computed = forfait * groups
    amount = min(ctx.requested, computed)
    return ShareOutcome(
        True,
        amount,
        f"Forfait de {euros(forfait)} × {count(groups, 'groupe éligible', 'groupes éligibles')} : "
        f"{euros(computed)} ; "
        f"proposé {euros(amount)}.",
        "min(demande, forfait × nombre de groupes éligibles)",
    )


module = FunderModule(
    code="etat",
    label="État",
    rules=[
        FunderRule(
            "ETAT-2014",
            "L'État ne finance plus Reaap, médiation familiale et espaces de rencontre",
            "Instruction DGCS du 9 avril 2014 (fonds national parentalité)",
            etat_2014,
            frozenset({"reaap", "mediation_familiale", "espace_rencontre"}),
        ),
        FunderRule(
            "ETAT-CLAS",
            "Forfait par groupe en quartier prioritaire",
            "Politique de la ville, crédits Clas",
            etat_clas,
            frozenset({"clas"}),
        ),
    ],
    parameters=("etat.funds_parenting_schemes", "etat.clas.forfait"),
    parameter_root=PARAMETER_ROOT,
)
