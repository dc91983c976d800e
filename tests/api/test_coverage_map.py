"""The coverage map page `/carte` after a real walk through the API: who may see it, the map
and its tables, a département without outlines (tables only), the refusals naming the field,
and the same figures for the public pages (`coverage_context` without anyone signed in)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from api.pages.coverage import coverage_context

OWN = Decimal("10000.00")
GRENOBLE, VOIRON, ORNACIEUX_2018, ORNACIEUX = "38185", "38563", "38025", "38284"


def asking(api: Any, territory: list[str], caf: str) -> dict[str, Any]:
    """An application asking the Caf only."""
    budget = {"total_cost": str(OWN + Decimal(caf)), "investment_costs": "0"}
    budget["other_resources"] = str(OWN)
    return api.body(requests={"caf": caf}, budget=budget, territory=territory)  # type: ignore[no-any-return]


def funded_year(api: Any) -> int:
    """A café in Grenoble granted by the Caf, a walk over Voiron and Ornacieux (by its 2018
    code) granted too; the session closed. The funding year of both: 2027."""
    call = api.call()
    cafe = api.eligible(call["id"], asking(api, [GRENOBLE], "3000.00"), title="Café des parents")
    walk = api.eligible(
        call["id"], asking(api, [VOIRON, ORNACIEUX_2018], "100.00"), title="Balades"
    )
    meeting = api.open_session(call["id"], [cafe["id"], walk["id"]])
    api.ok(api.decide(meeting["id"], cafe["id"], "caf", "granted", "3000.00"), 201)
    api.ok(api.decide(meeting["id"], walk["id"], "caf", "granted", "100.00"), 201)
    api.move(meeting["id"], "close")
    return 2027


def page(api: Any, user: str | None, path: str = "/carte", **params: Any) -> Any:
    client = api.client
    client.cookies.clear()
    if user is not None:
        client.cookies.set("cofinance_session", api.headers[user]["Authorization"][7:])
    response = client.get(path, params=params, follow_redirects=False)
    client.cookies.clear()
    return response


def plain(html: str) -> str:
    return html.replace("\u202f", " ").replace("\xa0", " ")


def map_of(html: str) -> ET.Element:
    found = re.search(r"<svg[^>]*class=\"cf-map\".*?</svg>", html, re.S)
    assert found, "no map on the page"
    return ET.fromstring(found.group(0))


def test_the_chair_sees_the_map_coloured_by_the_funded_actions_with_its_tables(api: Any) -> None:
    year = funded_year(api)
    response = page(api, "chair", annee=year)
    assert response.status_code == 200, response.text
    svg = map_of(response.text)
    paths = {p.get("data-insee"): p for p in svg.iter("{http://www.w3.org/2000/svg}path")}
    assert len(paths) == 512
    assert paths[GRENOBLE].get("fill") != paths["38001"].get("fill")  # a commune without
    # Ornacieux-Balbins: one action for about 1 000 people, Voiron for 20 000: darker.
    assert paths[ORNACIEUX].get("fill") != paths[VOIRON].get("fill")
    text = plain(response.text)
    assert "3 communes sur 512 ont au moins une action financée en 2027" in text
    for name in ("Grenoble", "Voiron", "Ornacieux-Balbins"):
        assert f'<th scope="row">{name}</th>' in text
    assert "Intercommunalités sans aucune action" in text
    assert "Communes sans action (509)" in text
    assert 'href="/carte"' in text  # in the chair's menu


@pytest.mark.parametrize("user", ["admin", "caf1", "ville1"])
def test_the_administrator_and_every_funder_see_the_map(api: Any, user: str) -> None:
    response = page(api, user, annee=2027)
    assert response.status_code == 200, response.text
    assert "Aucune commune n'a d'action financée" in response.text


def test_holders_may_not_see_the_staff_map_and_strangers_are_sent_to_sign_in(api: Any) -> None:
    assert page(api, "asso").status_code == 403
    anonymous = page(api, None)
    assert anonymous.status_code == 303 and "/connexion" in anonymous.headers["location"]


def test_a_department_without_outlines_shows_the_tables_only(api: Any, tmp_path: Path) -> None:
    year = funded_year(api)
    api.settings.outlines_file = tmp_path / "aucun-contour.geojson"
    try:
        response = page(api, "chair", annee=year)
    finally:
        api.settings.outlines_file = None
    assert response.status_code == 200, response.text
    assert 'class="cf-map"' not in response.text
    text = plain(response.text)
    assert '<th scope="row">Grenoble</th>' in text
    assert "Communes sans action (509)" in text


def test_an_unknown_year_or_scheme_is_refused_naming_the_field(api: Any) -> None:
    bad_year = page(api, "chair", annee="deux-mille")
    assert bad_year.status_code == 422
    assert "Année : Saisissez une année entre 2000 et 2100." in plain(bad_year.text)
    bad_scheme = page(api, "chair", annee=2027, dispositif="inconnu")
    assert bad_scheme.status_code == 422
    assert "Dispositif : Dispositif inconnu : inconnu." in plain(bad_scheme.text)


def test_an_empty_year_gives_empty_tables_not_an_error(api: Any) -> None:
    funded_year(api)
    response = page(api, "chair", annee=2031, dispositif="reaap")
    assert response.status_code == 200
    assert "0 commune sur 512 a au moins une action financée en 2031" in plain(response.text)


def test_the_public_pages_get_the_same_figures_without_anyone_signed_in(api: Any) -> None:
    year = funded_year(api)
    from engine.access import Actor

    chair = Actor(id=None, role="chair", name="Présidence")
    staff = coverage_context(api.db, api.settings, year, None, actor=chair)
    public = coverage_context(api.db, api.settings, year, None)
    assert [(c.insee, c.actions) for c in public["coverage"].covered] == [
        (c.insee, c.actions) for c in staff["coverage"].covered
    ]
    assert {c.insee for c in public["coverage"].covered} == {GRENOBLE, VOIRON, ORNACIEUX}
    assert public["coverage_map"] is not None
    assert public["coverage_scheme_label"] == "tous les dispositifs"
