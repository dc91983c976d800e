"""Médiation familiale — services conventionnés, by civil year (RULES.md §4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.rulebook import (
    Check,
    Context,
    Flag,
    Money,
    Quantity,
    Ratio,
    Rule,
    SchemeModule,
    Text,
    check,
)
from engine.rulebook.money import number
from rules.common import COMMON_DOCUMENTS, COMMON_PARAMETERS, PARAMETER_ROOT, common_rules

PROTOCOL = "Protocole national de la médiation familiale du 16 novembre 2009 ; LC CNAF 2009-194"


class Mediator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Optional: funders read who the mediators are; the rules only count ETP and diplomas.
    name: Text | None = Field(default=None, max_length=200, title="Nom du médiateur")
    etp: Quantity = Field(title="Équivalent temps plein")
    demf: Flag = Field(title="Titulaire du DEMF")


class MediationFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    manager_kind: Literal["association", "association_group", "collectivite", "caf", "other"] = (
        Field(
            title="Gestionnaire du service",
            json_schema_extra={
                "choices": {
                    "association": "Association",
                    "association_group": "Regroupement d'associations",
                    "collectivite": "Collectivité territoriale",
                    "caf": "Caf",
                    "other": "Autre",
                }
            },
        )
    )
    caf_active_before_2006: Flag = Field(default=False, title="Service Caf en activité avant 2006")
    main_field: Literal["family", "social", "health", "legal", "other"] = Field(
        title="Champ principal d'intervention",
        json_schema_extra={
            "choices": {
                "family": "Famille",
                "social": "Social",
                "health": "Santé",
                "legal": "Juridique",
                "other": "Autre",
            }
        },
    )
    mediators: list[Mediator] = Field(max_length=500, title="Médiateurs")
    practice_analysis: Flag = Field(title="Analyse de la pratique organisée")
    national_scale_applied: Flag = Field(title="Barème national des participations appliqué")
    extrajudicial_share: Ratio = Field(title="Part des médiations conventionnelles (entre 0 et 1)")
    family_participations: Money = Field(title="Participations des familles (€)")


def m1(ctx: Context) -> Check:
    kind = ctx.text("facts.manager_kind")
    if kind in ("association", "association_group", "collectivite"):
        return Check(True, "Le gestionnaire est d'un type admis.")
    if kind == "caf":
        return check(
            ctx.flag("facts.caf_active_before_2006"),
            "Service géré par une Caf, en activité avant le 1er janvier 2006.",
            "Un service géré par une Caf n'est admis que s'il existait avant 2006.",
        )
    return Check(False, "Le gestionnaire n'est pas d'un type admis par le protocole.")


def m2(ctx: Context) -> Check:
    return check(
        ctx.text("facts.main_field") in ("family", "social", "health", "legal"),
        "L'activité principale relève du champ familial, social, sanitaire ou juridique.",
        "L'activité principale ne relève pas du champ familial, social, sanitaire ou juridique.",
    )


def m3(ctx: Context) -> Check:
    mediators = ctx.items("facts.mediators")
    total = sum((m["etp"] for m in mediators), Decimal(0))
    ctx.reads.facts["facts.mediators (ETP total)"] = str(total)
    if total <= 0:
        return Check(False, "Le service ne déclare aucun équivalent temps plein de médiateur.")
    if ctx.switch("mediation_familiale.demf_required"):
        without = [str(i + 1) for i, m in enumerate(mediators) if not m["demf"]]
        ctx.reads.facts["facts.mediators (sans DEMF)"] = without
        if without:
            return Check(
                False,
                f"{'Médiateur' if len(without) == 1 else 'Médiateurs'} sans diplôme d'État "
                f"(DEMF) : n° {', '.join(without)}.",
            )
    return Check(True, f"Les médiateurs sont diplômés ; {number(total)} ETP au total.")


def m4(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.practice_analysis"),
        "Les médiateurs bénéficient d'analyse de la pratique.",
        "Les médiateurs ne bénéficient pas d'analyse de la pratique.",
    )


def m5(ctx: Context) -> Check:
    return check(
        ctx.flag("facts.national_scale_applied"),
        "Le barème national de participation des familles est appliqué.",
        "Le barème national de participation des familles n'est pas appliqué.",
    )


def m6(ctx: Context) -> Check:
    return check(
        ctx.fact("facts.extrajudicial_share") > 0,
        "Le service pratique des médiations conventionnelles.",
        "Un service ne pratiquant que des médiations judiciaires est exclu.",
    )


module = SchemeModule(
    code="mediation_familiale",
    label="Médiation familiale",
    calendar="civil",
    facts=MediationFacts,
    rules=[
        *common_rules("année civile"),
        Rule("M1", "Gestionnaire admis", PROTOCOL, m1),
        Rule("M2", "Activité principale familiale, sociale, sanitaire ou juridique", PROTOCOL, m2),
        Rule("M3", "Médiateurs diplômés (DEMF)", PROTOCOL, m3),
        Rule("M4", "Analyse de la pratique", PROTOCOL, m4),
        Rule("M5", "Barème national de participation", PROTOCOL, m5),
        Rule("M6", "Pas uniquement des médiations judiciaires", PROTOCOL, m6),
    ],
    parameters=(*COMMON_PARAMETERS, "mediation_familiale.demf_required"),
    parameter_root=PARAMETER_ROOT,
    documents=COMMON_DOCUMENTS,
)
