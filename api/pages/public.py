"""The public pages, no login (DESIGN §11): the open calls and how to apply, the catalogue of
funded actions searchable by commune, scheme and year, the coverage map and the open data.

They read the same service as their JSON twins (api/routes/public.py); the search is a plain
GET form, so it works without JavaScript (the commune is typed by name or code).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep, SettingsDep
from api.pages import coverage
from api.pages.web import MaybeActor, PageRoute, Pagination, page_number, render
from engine.rulebook import FieldError, InvalidInput
from engine.services import public_catalogue
from engine.services.communes import resolve, search
from engine.territory import reference

router = APIRouter(route_class=PageRoute)
OPEN_DATA = "/api/v1/opendata/subventions.csv"
# The form's fields, named like the service's parameters they fill.
FIELDS = {"year": "annee", "commune": "commune", "scheme": "dispositif"}


def _latest_year(db: DatabaseDep) -> int | None:
    years = public_catalogue.funded_years(db)
    return years[0] if years else None


@router.get("/decouvrir")
def discover(request: Request, db: DatabaseDep, actor: MaybeActor) -> Response:
    context = {
        "calls": public_catalogue.open_calls(db),
        "open_data_year": _latest_year(db),
        "open_data": OPEN_DATA,
    }
    return render(request, "public/home.html", context, actor=actor)


@router.get("/decouvrir/appels")
def open_calls(request: Request, db: DatabaseDep, actor: MaybeActor) -> Response:
    context = {"calls": public_catalogue.open_calls(db)}
    return render(request, "public/calls.html", context, actor=actor)


def _year(text: str) -> int | None:
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 4:
        return int(text)
    first, last = public_catalogue.FIRST_YEAR, public_catalogue.LAST_YEAR
    raise InvalidInput([FieldError("year", "year_unknown", year=text, first=first, last=last)])


def _field_errors(exc: InvalidInput) -> dict[str, str]:
    """The service's errors keyed by the form's field names."""
    return {FIELDS.get(e.field, e.field): e.message for e in reversed(exc.errors)}


@router.get("/decouvrir/actions")
def funded_actions(
    request: Request,
    db: DatabaseDep,
    actor: MaybeActor,
    settings: SettingsDep,
    annee: str | None = None,
    commune: str = "",
    dispositif: str = "",
    page: str | None = None,
) -> Response:
    """The catalogue; the commune as typed (`Voiron`, `Voiron (38563)` or `38563`). At first
    the latest year with funded actions; an empty year (« Toutes les années ») is every year."""
    if annee is None:
        annee = str(_latest_year(db) or "")
    annee, commune, dispositif = annee.strip(), commune.strip(), dispositif.strip()
    errors: dict[str, str] = {}
    actions: list[public_catalogue.FundedAction] = []
    year = code = None
    try:
        year = _year(annee)
    except InvalidInput as exc:
        errors.update(_field_errors(exc))
    suggestions: list[dict[str, str]] = []
    try:
        code = resolve(commune, "commune", settings.department) if commune else None
    except InvalidInput as exc:
        errors.update(_field_errors(exc))
        # Without JavaScript, the communes the picker would have suggested, as links.
        for found in search(commune, settings.department, 5):
            query = {"commune": found.label, "annee": annee, "dispositif": dispositif}
            suggestions.append({"label": found.label, "href": "?" + urlencode(query)})
    try:
        public_catalogue.check_filters(year, code, dispositif or None)
    except InvalidInput as exc:
        errors.update(_field_errors(exc))
    if not errors:
        actions = public_catalogue.funded_actions(db, year, code, dispositif or None)
        if code is not None:
            found = reference.commune(code)
            commune = f"{found.name} ({found.insee})" if found else commune
    years = public_catalogue.funded_years(db)
    if year is not None and year not in years and not errors:
        years = sorted({*years, year}, reverse=True)  # a year without actions stays chosen
    pagination = Pagination(page_number(page), len(actions))
    context: dict[str, Any] = {
        "actions": pagination.slice(actions),
        "pagination": pagination,
        "errors": errors,
        "suggestions": suggestions,
        "values": {"annee": annee, "commune": commune, "dispositif": dispositif},
        "years": years,
        "year_choices": [(str(y), str(y)) for y in years],
        "schemes": public_catalogue.schemes(),
        "open_data": OPEN_DATA,
    }
    status = 422 if errors else 200
    return render(request, "public/actions.html", context, actor=actor, status_code=status)


@router.get("/decouvrir/carte")
def coverage_map(
    request: Request,
    db: DatabaseDep,
    actor: MaybeActor,
    settings: SettingsDep,
    annee: str = "",
    dispositif: str = "",
) -> Response:
    """The staff's coverage map, counted from this catalogue (api/pages/coverage.py)."""
    year = annee.strip() or coverage.default_year(db)
    context = coverage.coverage_context(db, settings, year, dispositif.strip() or None)
    context.update(
        years=coverage.year_choices(db, context["coverage_year"]),
        schemes=public_catalogue.schemes(),
        fields=coverage.FIELDS,
    )
    return render(request, "public/map.html", context, actor=actor)
