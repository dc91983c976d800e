"""The commune outlines: the 521 outlines of 2018 merged onto the 512 current communes of Isère."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from engine.settings import Settings
from engine.territory.outlines import DEFAULT_FILE, load_outlines, outlines_for
from engine.territory.reference import communes_of_department, current_code


def outline_codes() -> list[str]:
    text = resources.files("engine.reference").joinpath(DEFAULT_FILE).read_text("utf-8")
    return [f["properties"]["code"] for f in json.loads(text)["features"]]


def test_isere_has_one_shape_per_current_commune() -> None:
    outlines = outlines_for(Settings(department="38"))
    assert outlines is not None
    current = {c.insee for c in communes_of_department("38")}
    assert len(current) == 512
    assert set(outlines.shapes) == current
    assert all(re.fullmatch(r"(M\d+ \d+l[-\d ]+z)+", d) for d in outlines.shapes.values())


def test_every_2018_outline_code_is_mapped_onto_a_current_commune() -> None:
    codes = outline_codes()
    assert len(codes) == 521
    outlines = outlines_for(Settings(department="38"))
    assert outlines is not None
    drawn = [code for sources in outlines.sources.values() for code in sources]
    assert sorted(drawn) == sorted(codes)
    for code in codes:
        assert current_code(code) is not None, code
        assert code in outlines.sources[current_code(code) or ""]


def test_merged_communes_give_one_shape_without_their_inner_borders() -> None:
    outlines = outlines_for(Settings(department="38"))
    assert outlines is not None
    merged = {insee: codes for insee, codes in outlines.sources.items() if len(codes) > 1}
    assert sum(len(codes) for codes in merged.values()) - len(merged) == 521 - 512
    # Plateau-des-Petites-Roches took in Saint-Bernard and Saint-Hilaire (38367, 38435).
    assert merged["38395"] == ("38367", "38395", "38435")
    for insee in merged:
        # One outer ring: the lines between the former communes are gone.
        assert outlines.shapes[insee].count("M") == 1, insee


def test_the_projection_keeps_the_map_small_and_upright() -> None:
    outlines = outlines_for(Settings(department="38"))
    assert outlines is not None
    assert 900 < outlines.height < 1200  # Isère is about as tall as it is wide
    assert sum(len(d) for d in outlines.shapes.values()) < 300_000


def test_the_outlines_are_read_once_per_process() -> None:
    assert outlines_for(Settings(department="38")) is outlines_for(Settings(department="38"))


def test_a_department_without_outlines_gets_none(tmp_path: Path) -> None:
    assert outlines_for(Settings(department="73")) is None  # the packaged file is Isère's
    missing = tmp_path / "absent.geojson"
    assert outlines_for(Settings(department="38", outlines_file=missing)) is None
    empty = tmp_path / "empty.geojson"
    empty.write_text("")
    assert outlines_for(Settings(department="38", outlines_file=empty)) is None


def test_a_deployment_brings_its_own_outlines(tmp_path: Path) -> None:
    square = [[[5.7, 45.1], [5.8, 45.1], [5.8, 45.2], [5.7, 45.2], [5.7, 45.1]]]
    own = tmp_path / "outlines.geojson"
    own.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "38185"},
                        "geometry": {"type": "Polygon", "coordinates": square},
                    }
                ],
            }
        )
    )
    outlines = load_outlines(str(own), "38")
    assert outlines is not None
    assert list(outlines.shapes) == ["38185"]
    assert Settings(outlines_file=" ").outlines_file is None  # blank: the packaged file
