"""The committee's dashboard: envelope use of the chosen call, amounts by scheme and commune
(all three follow the call selector)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.charts import AMOUNT_SERIES, ENVELOPE_SERIES, bar_chart
from api.pages.funder import calls_for
from api.pages.web import PageActor, PageRoute, render
from engine.access import require_role
from engine.rulebook import default_registry
from engine.services.reports import amounts_by_scheme_and_commune, envelopes_of_call

router = APIRouter(route_class=PageRoute)


@router.get("/tableau-de-bord")
def dashboard(
    request: Request, db: DatabaseDep, actor: PageActor, appel: str | None = None
) -> Response:
    require_role(actor, "chair", "admin")
    labels = {code: m.label.split(" — ")[0] for code, m in default_registry().schemes.items()}
    every = calls_for(db, actor)
    chosen = next((c for c in every if str(c["id"]) == appel), every[0] if every else None)
    # Every chart follows the call selector (all calls only when there is none).
    figures = amounts_by_scheme_and_commune(
        db, actor, labels, chosen["id"] if chosen is not None else None
    )
    envelope_rows = []
    if chosen is not None:
        envelope_rows = [
            (u.name, [u.envelope, u.granted, u.proposed])
            for u in envelopes_of_call(db, actor, chosen["id"])
        ]
    communes = figures["communes"][:15]
    suffix = f" : {chosen['title']}" if chosen else ""
    return render(
        request,
        "chair/dashboard.html",
        {
            "calls": every,
            "chosen": chosen,
            "envelope_chart": bar_chart(
                f"Consommation des enveloppes : {chosen['title']}" if chosen else "Enveloppes",
                envelope_rows,
                ENVELOPE_SERIES,
            )
            if envelope_rows
            else None,
            "envelope_rows": envelope_rows,
            "scheme_chart": bar_chart(
                f"Montants demandés et accordés par dispositif{suffix}",
                [(a.label, [a.requested, a.granted]) for a in figures["schemes"]],
                AMOUNT_SERIES,
            )
            if figures["schemes"]
            else None,
            "schemes": figures["schemes"],
            "commune_chart": bar_chart(
                f"Montants demandés et accordés par commune{suffix}",
                [(a.label, [a.requested, a.granted]) for a in communes],
                AMOUNT_SERIES,
            )
            if communes
            else None,
            "communes": communes,
        },
        actor=actor,
    )
