"""A commune: funds only actions on its own territory; amounts decided by hand (RULES.md §5)."""

from __future__ import annotations

from engine.rulebook import FunderModule, FunderRule, ShareContext, ShareOutcome


def com_territory(ctx: ShareContext) -> ShareOutcome:
    insee = ctx.funder.insee
    territory = ctx.items("territory")
    ctx.reads.facts["territory"] = list(territory)
    ctx.reads.facts["funder.insee"] = insee
    if insee in territory:
        return ShareOutcome(
            True,
            None,
            "L'action a lieu sur la commune : montant décidé en séance.",
            "insee ∈ territory",
        )
    return ShareOutcome(
        False, None, f"L'action n'a pas lieu sur la commune ({insee}).", "insee ∈ territory"
    )


module = FunderModule(
    code="commune",
    label="Commune",
    rules=[
        FunderRule(
            "COM-TERRITORY",
            "Action sur le territoire de la commune",
            "Code général des collectivités territoriales, art. L. 2121-29",
            com_territory,
        )
    ],
    needs_insee=True,
)
