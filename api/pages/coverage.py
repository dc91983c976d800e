"""The coverage map (DESIGN §11): the communes of the département coloured by funded actions per
1 000 inhabitants for a year and a scheme, the communes and EPCIs without any action, and the
data table (the map's text alternative).

`/carte` is the staff page (chair, funders, administrator). The public pages embed the same map:
`coverage_context(db, settings, year, scheme)` gives what the partial
`partials/coverage_map.html` renders, without anyone signed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from api.deps import DatabaseDep, SettingsDep
from api.pages.web import PageActor, PageRoute, render
from engine.access import Actor, require_role
from engine.clock import now, paris_date
from engine.db import Database
from engine.rulebook import FieldError, InvalidInput
from engine.services import public_catalogue
from engine.services.statistics import check_filters, territory_statistics
from engine.settings import Settings
from engine.territory.coverage_map import coverage, coverage_svg
from engine.territory.outlines import outlines_for

router = APIRouter(route_class=PageRoute)
# The page's query fields (French in the address bar), and the fields' names in its errors.
FIELDS = {"year": "annee", "scheme": "dispositif"}
LABELS = {"year": "Année", "scheme": "Dispositif"}


def _public_actions(db: Database, year: int, scheme: str | None) -> dict[str, int]:
    """Funded actions per commune from the public catalogue (what anyone may read)."""
    counts: dict[str, int] = {}
    for action in public_catalogue.funded_actions(db, year, None, scheme):
        for place in action.communes:
            counts[place.insee] = counts.get(place.insee, 0) + 1
    return counts


def _staff_actions(db: Database, actor: Actor, year: int, scheme: str | None) -> dict[str, int]:
    statistics = territory_statistics(db, actor, year, scheme)
    return {line.insee: line.actions for line in statistics.by_commune}


def coverage_context(
    db: Database,
    settings: Settings,
    year: Any,
    scheme: str | None,
    *,
    actor: Actor | None = None,
) -> dict[str, Any]:
    """What `partials/coverage_map.html` renders, for a funding year and a scheme (None: all).

    With an `actor` (staff) the figures are the shared diagnosis' (engine/services/statistics.py);
    without one (the public pages) they are counted from the public catalogue of funded actions.
    An unknown year or scheme raises InvalidInput naming « Année » or « Dispositif » (the
    pages' error page shows it as it is).

    Keys: `coverage` (engine.territory.coverage_map.Coverage: `communes`, `covered`,
    `uncovered_by_epci()`, `levels`, `epcis_without_action`), `coverage_map` (the SVG markup, None
    without outlines: the tables only), `coverage_title`, `coverage_year`, `coverage_scheme`,
    `coverage_scheme_label`."""
    try:
        year, scheme = check_filters(year, scheme)
    except InvalidInput as exc:  # the page's error names the field as the form labels it
        raise InvalidInput(
            [FieldError(LABELS.get(e.field, e.field), e.code, **e.params) for e in exc.errors]
        ) from exc
    actions: Mapping[str, int] = (
        _public_actions(db, year, scheme)
        if actor is None
        else _staff_actions(db, actor, year, scheme)
    )
    figures = coverage(actions, settings.department)
    scheme_label = public_catalogue.scheme_label(scheme) if scheme else "tous les dispositifs"
    title = f"Actions financées pour 1 000 habitants par commune en {year}, {scheme_label}"
    outlines = outlines_for(settings)
    drawn = Markup(coverage_svg(figures, outlines, title)) if outlines is not None else None
    return {
        "coverage": figures,
        "coverage_map": drawn,
        "coverage_title": title,
        "coverage_year": year,
        "coverage_scheme": scheme,
        "coverage_scheme_label": scheme_label,
    }


def default_year(db: Database) -> int:
    """The latest year with funded actions, else this year."""
    years = public_catalogue.funded_years(db)
    return years[0] if years else paris_date(now()).year


def year_choices(db: Database, chosen: int | None) -> list[int]:
    """The years to choose from: those with funded actions, this year, and the one shown."""
    years = {*public_catalogue.funded_years(db), paris_date(now()).year}
    if chosen is not None:
        years.add(chosen)
    return sorted(years, reverse=True)


@router.get("/carte")
def coverage_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    actor: PageActor,
    annee: str = "",
    dispositif: str = "",
) -> Response:
    require_role(actor, "chair", "admin", "funder")
    year = annee.strip() or default_year(db)
    context = coverage_context(db, settings, year, dispositif.strip() or None, actor=actor)
    context.update(
        years=year_choices(db, context["coverage_year"]),
        schemes=public_catalogue.schemes(),
        fields=FIELDS,
    )
    return render(request, "coverage.html", context, actor=actor)
