"""Reaap — Réseaux d'écoute, d'appui et d'accompagnement des parents (RULES.md §4)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.rulebook import Check, Context, Count, Flag, Money, Ratio, Rule, SchemeModule, check
from engine.rulebook.money import euros, percent
from rules.common import COMMON_DOCUMENTS, COMMON_PARAMETERS, PARAMETER_ROOT, common_rules

CHARTER = "Circulaire DIF/DGAS/2B/DAIC/DGESCO/DIV/2008/361 du 11 décembre 2008 (charte Reaap)"


class ReaapFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    children_max_age: Count = Field(title="Âge maximal des enfants concernés (ans)")
    open_to_all: Flag = Field(title="Action ouverte à toutes les familles")
    modality: Literal[
        "parent_exchange", "parent_child_activity", "conference_debate", "individual"
    ] = Field(
        title="Modalité de l'action",
        json_schema_extra={
            "choices": {
                "parent_exchange": "Groupe d'échange entre parents",
                "parent_child_activity": "Activité parents-enfants",
                "conference_debate": "Conférence-débat",
                "individual": "Accompagnement individuel",
            }
        },
    )
    therapeutic: Flag = Field(title="Visée thérapeutique")
    parents_involved: Flag = Field(title="Parents associés à la conception ou à l'animation")
    fee_per_session: Money = Field(title="Participation demandée aux familles par séance (€)")
    commercial: Flag = Field(title="But commercial")
    reaap_charter_signed: Flag = Field(title="Charte des Reaap signée")
    laicite_charter_accepted: Flag = Field(
        title="Charte de la laïcité de la branche Famille acceptée"
    )
    staff_cost_share: Ratio = Field(title="Part des frais de personnel dans le coût (entre 0 et 1)")


def r1(ctx: Context) -> Check:
    age = ctx.integer("facts.children_max_age")
    limit = ctx.param("reaap.children_max_age")
    return check(
        age <= limit,
        f"L'action concerne des parents d'enfants de {limit} ans au plus.",
        f"L'action vise des enfants jusqu'à {age} ans, au-delà de {limit} ans.",
    )


def r2(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.open_to_all"),
        "L'action est ouverte à toutes les familles.",
        "L'action n'est pas ouverte à toutes les familles.",
    )


def r3(ctx: Context) -> Check:
    return check(
        ctx.text("facts.modality") != "individual",
        "L'action est collective.",
        "L'action est individuelle ; le Reaap finance des actions collectives.",
    )


def r4(ctx: Context) -> Check:
    return check(
        not ctx.flag("facts.therapeutic"),
        "L'action n'a pas de visée thérapeutique.",
        "L'action a une visée thérapeutique, hors du champ du Reaap.",
    )


def r5(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.parents_involved"),
        "Les parents sont associés à l'action.",
        "Les parents ne sont pas associés à la conception ou à l'animation de l'action.",
    )


def r6(ctx: Context) -> Check:
    fee = ctx.money("facts.fee_per_session")
    limit = ctx.param("reaap.max_fee_per_session")
    shown = f"La participation demandée ({euros(fee)})"
    if fee <= limit:
        return Check(True, f"{shown} ne dépasse pas {euros(limit)} par séance.")
    return Check(False, f"{shown} dépasse {euros(limit)} par séance.")


def r7(ctx: Context) -> Check:
    return check(
        not ctx.flag("facts.commercial"),
        "L'action n'a pas de but commercial.",
        "L'action a un but commercial.",
    )


def r8(ctx: Context) -> Check:
    if not ctx.flag("facts.reaap_charter_signed"):
        return Check(False, "La charte des Reaap n'est pas signée.")
    if ctx.switch("reaap.laicite_charter_required") and not ctx.flag(
        "facts.laicite_charter_accepted"
    ):
        return Check(False, "La charte de la laïcité de la branche Famille n'est pas acceptée.")
    return Check(True, "Les chartes requises sont signées.")


def r9(ctx: Context) -> Check:
    share = ctx.fact("facts.staff_cost_share")
    limit = ctx.param("reaap.max_staff_cost_share")
    if share <= limit:
        return Check(
            True, f"Les frais de personnel restent dans la limite de {percent(limit)} du coût."
        )
    return Check(
        False,
        f"Les frais de personnel ({percent(share)} du coût) dépassent {percent(limit)} : "
        "le Reaap ne finance pas durablement des postes.",
    )


module = SchemeModule(
    code="reaap",
    label="Reaap — Réseaux d'écoute, d'appui et d'accompagnement des parents",
    calendar="civil",
    facts=ReaapFacts,
    rules=[
        *common_rules("année civile"),
        Rule("R1", "Parents d'enfants jusqu'à 18 ans", CHARTER, r1),
        Rule("R2", "Ouvert à toutes les familles", CHARTER, r2),
        Rule("R3", "Modalité collective", CHARTER, r3),
        Rule("R4", "Pas de visée thérapeutique", CHARTER, r4),
        Rule("R5", "Parents associés à l'action", CHARTER, r5),
        Rule("R6", "Participation financière modeste", CHARTER, r6),
        Rule("R7", "Pas de but commercial", CHARTER, r7),
        Rule("R8", "Charte Reaap et charte de la laïcité", CHARTER, r8),
        Rule(
            "R9", "Pas de financement durable de postes", "Circulaire 2003-317 du 12 juin 2003", r9
        ),
    ],
    parameters=(
        *COMMON_PARAMETERS,
        "reaap.children_max_age",
        "reaap.max_fee_per_session",
        "reaap.laicite_charter_required",
        "reaap.max_staff_cost_share",
    ),
    parameter_root=PARAMETER_ROOT,
    documents=COMMON_DOCUMENTS,
)
