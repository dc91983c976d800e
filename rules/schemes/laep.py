"""Laep — Lieux d'accueil enfants-parents (RULES.md §4)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from engine.rulebook import Check, Context, Count, Flag, Rule, SchemeModule, check
from engine.rulebook.money import count as french_count
from rules.common import COMMON_DOCUMENTS, COMMON_PARAMETERS, PARAMETER_ROOT, common_rules

REFERENTIAL = "Référentiel national des Laep (CNAF) ; caf.fr, lieu d'accueil enfants-parents"


class LaepFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    children_max_age: Count = Field(title="Âge maximal des enfants accueillis (ans)")
    free_access: Flag = Field(title="Accès libre")
    anonymous: Flag = Field(title="Accueil anonyme")
    hosts_per_session: Count = Field(title="Accueillants par séance")
    listed_on_monenfant: Flag = Field(title="Référencé sur monenfant.fr")


def l1(ctx: Context) -> Check:
    age = ctx.integer("facts.children_max_age")
    limit = ctx.param("laep.children_age_limit")
    return check(
        age < limit,
        f"Le lieu accueille des enfants de moins de {limit} ans.",
        f"Le lieu accueille des enfants jusqu'à {age} ans ; la limite est de moins de {limit} ans.",
    )


def l2(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.free_access") and ctx.flag("facts.anonymous"),
        "L'accueil est libre, gratuit et anonyme.",
        "L'accueil doit être libre, gratuit et anonyme.",
    )


def l3(ctx: Context) -> Check:
    hosts = ctx.integer("facts.hosts_per_session")
    minimum = ctx.param("laep.min_hosts")
    if hosts >= minimum:
        return Check(True, f"{hosts} accueillants par séance (au moins {minimum}).")
    return Check(
        False, f"{french_count(hosts, 'accueillant')} par séance ; il en faut au moins {minimum}."
    )


def l4(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.listed_on_monenfant"),
        "Le lieu est référencé sur monenfant.fr.",
        "Le lieu n'est pas référencé sur monenfant.fr.",
    )


module = SchemeModule(
    code="laep",
    label="Laep — Lieu d'accueil enfants-parents",
    calendar="civil",
    facts=LaepFacts,
    rules=[
        *common_rules("année civile"),
        Rule("L1", "Enfants de moins de 6 ans", REFERENTIAL, l1),
        Rule("L2", "Accueil libre, gratuit et anonyme", REFERENTIAL, l2),
        Rule("L3", "Au moins deux accueillants", REFERENTIAL, l3),
        Rule("L4", "Référencé sur monenfant.fr", REFERENTIAL, l4),
    ],
    parameters=(*COMMON_PARAMETERS, "laep.children_age_limit", "laep.min_hosts"),
    parameter_root=PARAMETER_ROOT,
    documents=COMMON_DOCUMENTS,
)
