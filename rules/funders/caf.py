"""CAF — Caisse d'allocations familiales: prestations de service per scheme (RULES.md §5)."""

from __future__ import annotations

from decimal import Decimal

from engine.rulebook import FunderModule, FunderRule, ShareContext, ShareOutcome, round_cents
from engine.rulebook.money import euros, number, percent
from rules.common import PARAMETER_ROOT


def caf_reaap(ctx: ShareContext) -> ShareOutcome:
    total = ctx.money("budget.total_cost")
    cap = ctx.param("caf.reaap.max_share")
    # RULES.md compares with max_share × total_cost itself: no rounding of the limit, which
    # would let a request exceed the share by up to half a cent.
    limit = cap * total
    if ctx.requested > limit:
        shown = euros(limit) if limit == round_cents(limit) else f"{limit.normalize():f}\u00a0€"
        return ShareOutcome(
            False,
            None,
            f"La demande ({euros(ctx.requested)}) dépasse {percent(cap)} du coût total "
            f"({shown.replace('.', ',')}).",
            "demande ≤ max_share × total_cost",
        )
    return ShareOutcome(
        True,
        ctx.requested,
        f"La demande reste sous {percent(cap)} du coût total : montant demandé proposé.",
        "montant = demande (si demande ≤ max_share × total_cost)",
    )


def caf_clas(ctx: ShareContext) -> ShareOutcome:
    rate = ctx.param("caf.clas.rate")
    plafond = ctx.param("caf.clas.plafond")
    total = Decimal(0)
    for index in ctx.passing_items.get("groups", []):
        cost = ctx.money(f"facts.groups.{index}.cost")
        total += round_cents(rate * min(cost, plafond))
    amount = min(ctx.requested, total)
    return ShareOutcome(
        True,
        amount,
        f"{percent(rate)} du coût de chaque groupe éligible, plafonné à {euros(plafond)} : "
        f"{euros(total)} ; proposé {euros(amount)}.",
        "min(demande, Σ groupes éligibles round(rate × min(coût du groupe, plafond)))",
    )


def caf_mf(ctx: ShareContext) -> ShareOutcome:
    rate = ctx.param("caf.mf.rate")
    plafond = ctx.param("caf.mf.plafond_per_etp")
    total_cost = ctx.money("budget.total_cost")
    participations = ctx.money("facts.family_participations")
    etp = sum((m["etp"] for m in ctx.items("facts.mediators")), Decimal(0))
    ctx.reads.facts["facts.mediators (ETP total)"] = str(etp)
    if etp <= 0:
        return ShareOutcome(False, None, "Aucun ETP de médiateur déclaré.", "etp > 0")
    per_etp = min(total_cost / etp, plafond)
    computed = max(Decimal(0), round_cents(per_etp * rate * etp - participations))
    amount = min(ctx.requested, computed)
    return ShareOutcome(
        True,
        amount,
        f"Prix de revient par ETP plafonné à {euros(plafond)}, × {percent(rate)} "
        f"× {number(etp)} ETP, "
        f"moins les participations familiales : {euros(computed)} ; proposé {euros(amount)}.",
        "min(demande, max(0, round(min(total_cost / etp, plafond) × rate × etp − participations)))",
    )


def caf_er(ctx: ShareContext) -> ShareOutcome:
    if not ctx.switch("caf.er.prestation"):
        return ShareOutcome(
            False,
            None,
            "La prestation de service espace de rencontre n'existe pas avant le 1er janvier 2015.",
            "prestation en vigueur",
        )
    rate = ctx.param("caf.er.rate")
    computed = round_cents(rate * ctx.money("budget.total_cost"))
    amount = min(ctx.requested, computed)
    return ShareOutcome(
        True,
        amount,
        f"{percent(rate)} du coût total : {euros(computed)} ; proposé {euros(amount)}.",
        "min(demande, round(rate × total_cost))",
    )


def caf_laep(ctx: ShareContext) -> ShareOutcome:
    rate = ctx.param("caf.laep.rate")
    plafond = ctx.param("caf.laep.plafond")
    computed = round_cents(rate * min(ctx.money("budget.total_cost"), plafond))
    amount = min(ctx.requested, computed)
    return ShareOutcome(
        True,
        amount,
        f"{percent(rate)} du coût total plafonné à {euros(plafond)} : {euros(computed)} ; "
        f"proposé {euros(amount)}.",
        "min(demande, round(rate × min(total_cost, plafond)))",
    )


PS = "Prestation de service CNAF"
module = FunderModule(
    code="caf",
    label="Caisse d'allocations familiales",
    rules=[
        FunderRule(
            "CAF-REAAP",
            "Part Caf plafonnée à une fraction du coût",
            "Appels à projets Reaap départementaux (Caf)",
            caf_reaap,
            frozenset({"reaap"}),
        ),
        FunderRule(
            "CAF-CLAS",
            "Prestation de service Clas par groupe",
            f"{PS} Clas",
            caf_clas,
            frozenset({"clas"}),
        ),
        FunderRule(
            "CAF-MF",
            "Prestation de service médiation familiale par ETP",
            "LC CNAF 2009-194",
            caf_mf,
            frozenset({"mediation_familiale"}),
        ),
        FunderRule(
            "CAF-ER",
            "Prestation de service espace de rencontre",
            "Circulaire CNAF 2015-015",
            caf_er,
            frozenset({"espace_rencontre"}),
        ),
        FunderRule(
            "CAF-LAEP",
            "Prestation de service Laep",
            f"{PS} Laep",
            caf_laep,
            frozenset({"laep"}),
        ),
    ],
    parameters=(
        "caf.reaap.max_share",
        "caf.clas.rate",
        "caf.clas.plafond",
        "caf.mf.rate",
        "caf.mf.plafond_per_etp",
        "caf.er.prestation",
        "caf.er.rate",
        "caf.laep.rate",
        "caf.laep.plafond",
    ),
    parameter_root=PARAMETER_ROOT,
)
