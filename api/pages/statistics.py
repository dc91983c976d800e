"""`/statistiques`: the shared diagnosis of a funding year for the chair, the funders and the
administrator (DESIGN §11). Each chart is followed by its data table, the accessible version."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.charts import BLUE, BLUE_LIGHT, Series, bar_chart
from api.pages.web import PageActor, PageRoute, render
from engine.access import require_role
from engine.formatting import format_number
from engine.rulebook import default_registry
from engine.services.statistics import funding_years, territory_statistics

router = APIRouter(route_class=PageRoute)
TOP_COMMUNES = 15
GREEN = "#18753c"
PAID = Series("Versé", GREEN)
REQUESTED = Series("Demandé", BLUE_LIGHT)
GRANTED = Series("Accordé", BLUE)
ENVELOPE = Series("Enveloppe", "#7b7b7b")
DAYS = Series("Jours", BLUE)


def short(label: str) -> str:
    """`Reaap — Réseaux d'écoute…` → `Reaap`: the chart's row label (the table has it all)."""
    return label.split(" — ")[0]


def days(value: Decimal) -> str:
    return f"{format_number(value)} jour{'s' if value > 1 else ''}"


@router.get("/statistiques")
def statistics_page(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    annee: str | None = None,
    dispositif: str | None = None,
) -> Response:
    require_role(actor, "chair", "admin", "funder")
    years = funding_years(db, actor)
    figures = territory_statistics(db, actor, annee or years[0], dispositif or None)
    schemes = sorted(
        ((code, m.label) for code, m in default_registry().schemes.items()),
        key=lambda item: item[1],
    )
    if figures.year not in years:
        years = sorted({*years, figures.year}, reverse=True)
    scope = f"{figures.year}"
    if figures.scheme:
        scope += f", {short(dict(schemes)[figures.scheme])}"
    top = sorted(figures.by_commune, key=lambda c: (-c.granted, c.name))[:TOP_COMMUNES]
    processing = figures.processing_days
    charts = {
        "scheme": bar_chart(
            f"Montants par dispositif ({scope})",
            [(short(s.label), [s.requested, s.granted, s.paid]) for s in figures.by_scheme],
            [REQUESTED, GRANTED, PAID],
        ),
        "funder": bar_chart(
            f"Enveloppes et montants accordés et versés par financeur ({scope})",
            [(f.funder, [f.envelope, f.granted, f.paid]) for f in figures.by_funder],
            [ENVELOPE, GRANTED, PAID],
        ),
        "epci": bar_chart(
            f"Montants par intercommunalité ({scope})",
            [(e.name, [e.requested, e.granted]) for e in figures.by_epci],
            [REQUESTED, GRANTED],
        ),
        "commune": bar_chart(
            f"Communes ayant reçu le plus ({scope})",
            [(c.name, [c.granted, c.paid]) for c in top],
            [GRANTED, PAID],
        ),
        "processing": bar_chart(
            f"Délai entre le dépôt et la notification ({scope})",
            [
                ("Médiane", [Decimal(processing.median)]),
                ("9 dossiers sur 10 en moins de", [Decimal(processing.p90)]),
            ],
            [DAYS],
            shown_as=days,
        )
        if processing.median is not None and processing.p90 is not None
        else None,
    }
    return render(
        request,
        "statistics/statistics.html",
        {
            "figures": figures,
            "years": years,
            "schemes": schemes,
            "scope": scope,
            "charts": charts,
            "top": top,
            "communes": sorted(figures.by_commune, key=lambda c: (c.name, c.insee)),
        },
        actor=actor,
    )
