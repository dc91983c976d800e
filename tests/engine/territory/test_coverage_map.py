"""The coverage map: classes of actions per 1 000 inhabitants, communes and EPCIs without any
action, and the SVG drawn from the outlines."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from engine.settings import Settings
from engine.territory.coverage_map import NO_ACTION, PALETTE, coverage, coverage_svg, rate_text
from engine.territory.outlines import outlines_for
from engine.territory.reference import commune, epcis_of_department

SVG = "{http://www.w3.org/2000/svg}"
GRENOBLE, VOIRON, VIENNE = "38185", "38563", "38544"
# Plateau-des-Petites-Roches (38395) took in Saint-Bernard (38367) in 2019.
PLATEAU, SAINT_BERNARD = "38395", "38367"


def drawn(actions: dict[str, int]) -> tuple[ET.Element, dict[str, ET.Element]]:
    outlines = outlines_for(Settings(department="38"))
    assert outlines is not None
    svg = coverage_svg(coverage(actions, "38"), outlines, "Actions en 2027")
    root = ET.fromstring(svg)  # parses as XML
    paths = {p.get("data-insee") or "": p for p in root.iter(SVG + "path")}
    return root, paths


def test_a_commune_with_more_actions_per_thousand_gets_a_darker_class() -> None:
    # Grenoble: 10 for about 158 000 people; Voiron: 3 for 20 000; Vienne: 4 for 30 000.
    figures = coverage({GRENOBLE: 10, VOIRON: 3, VIENNE: 4, PLATEAU: 2}, "38")
    by = {c.insee: c for c in figures.communes}
    ordered = sorted(
        (by[i] for i in (GRENOBLE, VOIRON, VIENNE, PLATEAU)), key=lambda c: c.per_1000 or 0
    )
    levels = [c.level for c in ordered]
    assert levels == sorted(levels) and levels[0] < levels[-1]
    assert [PALETTE.index(c.colour) for c in ordered] == sorted(
        PALETTE.index(c.colour) for c in ordered
    )
    assert by[PLATEAU].colour == PALETTE[-1]  # the fewest inhabitants: the darkest
    assert by[GRENOBLE].per_1000 == Decimal(10 * 1000) / commune(GRENOBLE).population  # type: ignore[union-attr]


def test_the_svg_colours_follow_the_figures() -> None:
    _, paths = drawn({GRENOBLE: 1, PLATEAU: 3})
    assert len(paths) == 512
    assert paths[PLATEAU].get("fill") == PALETTE[-1]
    assert paths[GRENOBLE].get("fill") in PALETTE[:-1]
    assert paths[VOIRON].get("fill") == NO_ACTION
    title = paths[PLATEAU].find(SVG + "title")
    assert title is not None and title.text is not None
    assert title.text.startswith("Plateau-des-Petites-Roches : 3 actions financées, ")
    no_action = paths[VOIRON].find(SVG + "title")
    assert no_action is not None and no_action.text == "Voiron : aucune action financée"


def test_an_action_in_a_commune_merged_since_2018_counts_for_its_current_commune() -> None:
    figures = coverage({SAINT_BERNARD: 1, PLATEAU: 1}, "38")
    assert {c.insee: c.actions for c in figures.covered} == {PLATEAU: 2}


def test_the_svg_is_an_accessible_image_with_its_legend() -> None:
    root, _ = drawn({GRENOBLE: 1, VOIRON: 1, PLATEAU: 1})
    assert root.get("role") == "img"
    labelled = (root.get("aria-labelledby") or "").split()
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert labelled and all(i in ids for i in labelled)
    assert ids[labelled[0]].tag == SVG + "title"
    assert ids[labelled[0]].text == "Actions en 2027"
    texts = [t.text or "" for t in root.iter(SVG + "text")]
    assert "Actions financées pour 1 000 habitants" in texts
    assert "Aucune action (509 communes)" in texts
    # Three classes (one commune each), with their bounds the French way.
    assert sum(1 for t in texts if t.endswith("(1 commune)")) == 3
    assert any("," in t and t.endswith("(1 commune)") for t in texts)


def test_communes_and_epcis_without_any_action_are_listed() -> None:
    figures = coverage({GRENOBLE: 2}, "38")
    assert len(figures.communes) == 512
    assert [c.insee for c in figures.covered] == [GRENOBLE]
    assert len(figures.uncovered) == 511
    assert VOIRON in {c.insee for c in figures.uncovered}
    grenoble_epci = commune(GRENOBLE).epci_siren  # type: ignore[union-attr]
    sirens = {e.siren for e in figures.epcis_without_action}
    assert grenoble_epci not in sirens
    assert sirens == {e.siren for e in epcis_of_department("38")} - {grenoble_epci}
    grouped = dict(figures.uncovered_by_epci())
    assert sum(len(group) for group in grouped.values()) == 511
    assert figures.levels[0].label == "Aucune action" and figures.levels[0].communes == 511


def test_a_year_without_actions_draws_every_commune_as_without_action() -> None:
    figures = coverage({}, "38")
    assert not figures.covered and len(figures.levels) == 1
    root, paths = drawn({})
    assert {p.get("fill") for p in paths.values()} == {NO_ACTION}
    desc = root.find(SVG + "desc")
    assert desc is not None and desc.text == "Aucune des 512 communes n'a d'action financée."


def test_figures_are_written_the_french_way() -> None:
    assert rate_text(Decimal("1.234")) == "1,23"
    assert rate_text(Decimal("0.004")) == "< 0,01"
    assert rate_text(Decimal("1250")) == "1\u202f250"


def test_the_whole_map_stays_small() -> None:
    outlines = outlines_for(Settings(department="38"))
    assert outlines is not None
    svg = coverage_svg(coverage({GRENOBLE: 1}, "38"), outlines, "Carte")
    assert len(svg.encode("utf-8")) < 400_000
