"""Clas — Contrats locaux d'accompagnement à la scolarité, by school year (RULES.md §4).

Group rules (C1, C3, C4) run once per group: a failing group is excluded from funding while
the others still count; results name the group by its 1-based position (`C3@3`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.rulebook import (
    Check,
    Context,
    Count,
    Flag,
    Money,
    Rule,
    SchemeModule,
    Text,
    check,
    with_choices,
)
from engine.rulebook.money import count as french_count
from rules.common import COMMON_DOCUMENTS, COMMON_PARAMETERS, PARAMETER_ROOT, common_rules

CHARTER = "Charte nationale de l'accompagnement à la scolarité (2001) ; référentiel Clas CNAF"
AXES = ("children", "parents", "school", "local_partners")
AXIS_LABELS = {
    "children": "Enfants",
    "parents": "Parents",
    "school": "École",
    "local_partners": "Partenaires locaux",
}
LEVELS = ("CP", "CE1", "CE2", "CM1", "CM2", "6e", "5e", "4e", "3e", "2nde", "1ere", "terminale")
Level = Literal[
    "CP", "CE1", "CE2", "CM1", "CM2", "6e", "5e", "4e", "3e", "2nde", "1ere", "terminale"
]
Axis = Literal["children", "parents", "school", "local_partners"]


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    children: Count = Field(title="Nombre d'enfants")
    intervenants: Count = Field(title="Nombre d'intervenants")
    cost: Money = Field(title="Coût du groupe (€)")
    levels: list[Text] = Field(max_length=len(LEVELS), title="Niveaux scolaires")


class ClasFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    outside_school_time: Flag = Field(title="Action hors du temps scolaire")
    axes: list[Axis] = Field(
        max_length=len(AXES),
        title="Axes d'intervention",
        json_schema_extra=with_choices(AXIS_LABELS),
    )
    homework_help_only: Flag = Field(title="Aide aux devoirs seulement")
    orientation_agreed: Flag = Field(title="Orientation des enfants concertée avec l'école")
    qpv: Flag = Field(title="Action en quartier prioritaire de la politique de la ville")
    groups: list[Group] = Field(max_length=200, title="Groupes d'enfants")


def c2(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.outside_school_time"),
        "L'action a lieu hors du temps scolaire.",
        "L'action a lieu pendant le temps scolaire.",
    )


def c5(ctx: Context) -> Check:
    axes = set(ctx.items("facts.axes"))
    ctx.reads.facts["facts.axes"] = sorted(axes)
    missing = [axis for axis in AXES if axis not in axes]
    return check(
        not missing,
        "Le projet couvre les quatre axes : enfants, parents, école, partenaires locaux.",
        f"Axes manquants : {', '.join(AXIS_LABELS[axis] for axis in missing)} "
        "(les quatre axes sont cumulatifs).",
    )


def c6(ctx: Context) -> Check:
    return check(
        not ctx.flag("facts.homework_help_only"),
        "L'action ne se limite pas à l'aide aux devoirs.",
        "Une action d'aide aux devoirs exclusivement ne relève pas du Clas.",
    )


def c7(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.orientation_agreed"),
        "L'orientation des enfants est concertée avec les parents et les enseignants.",
        "L'orientation des enfants n'est pas concertée avec les parents et les enseignants.",
    )


def c0(ctx: Context) -> Check:
    passing = ctx.passing_items.get("groups", [])
    count = len(ctx.items("facts.groups"))
    ctx.reads.facts["groups eligible"] = [i + 1 for i in passing]
    return check(
        bool(passing),
        f"{french_count(len(passing), 'groupe')} sur {count} "
        f"{'remplit' if len(passing) < 2 else 'remplissent'} les critères de groupe.",
        "Aucun groupe ne remplit les critères de groupe.",
    )


def c1(ctx: Context, index: int) -> Check:
    levels = ctx.items(f"facts.groups.{index}.levels")
    ctx.reads.facts[f"facts.groups.{index}.levels"] = list(levels)
    wrong = [level for level in levels if level not in LEVELS]
    if not levels:
        return Check(False, f"Groupe {index + 1} : aucun niveau scolaire indiqué.")
    return check(
        not wrong,
        f"Groupe {index + 1} : niveaux du CP à la terminale.",
        f"Groupe {index + 1} : niveaux hors du CP à la terminale ({', '.join(wrong)}).",
    )


def c3(ctx: Context, index: int) -> Check:
    children = ctx.integer(f"facts.groups.{index}.children")
    limit = ctx.param("clas.max_group_size")
    return check(
        1 <= children <= limit,
        f"Groupe {index + 1} : {children} enfants (au plus {limit}).",
        f"Groupe {index + 1} : {children} enfants, hors de 1 à {limit}.",
    )


def c4(ctx: Context, index: int) -> Check:
    intervenants = ctx.integer(f"facts.groups.{index}.intervenants")
    minimum = ctx.param("clas.min_intervenants")
    if intervenants >= minimum:
        return Check(
            True, f"Groupe {index + 1} : {intervenants} intervenants (au moins {minimum})."
        )
    return Check(
        False,
        f"Groupe {index + 1} : {french_count(intervenants, 'intervenant')}, "
        f"il en faut au moins {minimum}.",
    )


module = SchemeModule(
    code="clas",
    label="Clas — Contrat local d'accompagnement à la scolarité",
    calendar="school",
    facts=ClasFacts,
    rules=[
        *common_rules("année scolaire"),
        Rule("C2", "Hors du temps scolaire", CHARTER, c2),
        Rule("C5", "Les quatre axes d'intervention", CHARTER, c5),
        Rule("C6", "Pas seulement de l'aide aux devoirs", CHARTER, c6),
        Rule("C7", "Orientation concertée", CHARTER, c7),
        Rule("C0", "Au moins un groupe éligible", CHARTER, c0),
        Rule("C1", "Niveaux du CP à la terminale", CHARTER, c1, per="groups"),
        Rule("C3", "Taille du groupe", CHARTER, c3, per="groups"),
        Rule("C4", "Nombre d'intervenants par groupe", CHARTER, c4, per="groups"),
    ],
    parameters=(*COMMON_PARAMETERS, "clas.max_group_size", "clas.min_intervenants"),
    parameter_root=PARAMETER_ROOT,
    documents=COMMON_DOCUMENTS,
)
