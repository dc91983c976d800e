"""The outlines of the communes of the département, projected once onto the plane of an SVG map.

The outlines file is GeoJSON: one feature per commune with its INSEE code in the property `code`
(or `insee`), a Polygon or MultiPolygon in longitude/latitude. The packaged default is Isère's
(IGN Admin Express COG 2018, engine/reference/communes-38-isere.geojson); a deployment for
another département brings its own through the `outlines_file` setting. The 2018 outlines are
merged onto today's communes through `former_codes` (engine/territory/reference.py): a commune
nouvelle gets one shape, the lines between the communes it took in removed where they match.

The projection is equirectangular, longitudes scaled by the cosine of the mean latitude, which is
faithful enough at the size of a département; coordinates are rounded to the unit of a map
`WIDTH` units wide, and each shape is written as a compact SVG path (relative moves).
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from engine.once import once
from engine.settings import Settings
from engine.territory.reference import commune, current_code

log = logging.getLogger(__name__)

DEFAULT_FILE = "communes-38-isere.geojson"
WIDTH = 1000  # map units across the département; one unit is about 130 m in Isère
MARGIN = 4

Point = tuple[int, int]
Ring = list[Point]


@dataclass(frozen=True)
class Outlines:
    """The projected shapes of the current communes of one département."""

    width: int
    height: int
    shapes: dict[str, str]  # current INSEE code → SVG path data
    sources: dict[str, tuple[str, ...]]  # current INSEE code → the outline codes drawn in it


def outlines_for(settings: Settings) -> Outlines | None:
    """The outlines of the configured département, or None when there are none to draw (no
    file, an empty one, or none of its communes in it): the pages then show the tables only."""
    source = settings.outlines_file
    return load_outlines(str(source) if source is not None else None, settings.department)


@once
def load_outlines(source: str | None, department: str) -> Outlines | None:
    """Read, merge and project the outlines once per process (per file and département).

    `source` None is the packaged default file."""
    document = _read(source)
    if document is None:
        return None
    rings_by_commune: dict[str, list[list[list[tuple[float, float]]]]] = defaultdict(list)
    sources: dict[str, list[str]] = defaultdict(list)
    for feature in document.get("features") or []:
        properties = feature.get("properties") or {}
        code = str(properties.get("code") or properties.get("insee") or "")
        current = current_code(code)
        ref = commune(code)
        if current is None or ref is None or ref.departement != department:
            continue
        geometry = feature.get("geometry") or {}
        polygons = _polygons(geometry)
        if not polygons:
            continue
        rings_by_commune[current].extend(polygons)
        sources[current].append(code)
    if not rings_by_commune:
        return None
    return _project(rings_by_commune, {k: tuple(sorted(v)) for k, v in sources.items()})


def _read(source: str | None) -> dict[str, Any] | None:
    if source is None:
        text = resources.files("engine.reference").joinpath(DEFAULT_FILE).read_text("utf-8")
    else:
        path = Path(source)
        if not path.is_file():
            log.warning("outlines file %s not found: the coverage map shows its tables only", path)
            return None
        text = path.read_text("utf-8")
    if not text.strip():
        return None
    document = json.loads(text)
    return document if isinstance(document, dict) else None


def _polygons(geometry: dict[str, Any]) -> list[list[list[tuple[float, float]]]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        coordinates = [coordinates]
    elif kind != "MultiPolygon":
        return []
    return [
        [[(float(p[0]), float(p[1])) for p in ring] for ring in polygon if len(ring) >= 4]
        for polygon in coordinates
    ]


def _project(
    polygons_by_commune: dict[str, list[list[list[tuple[float, float]]]]],
    sources: dict[str, tuple[str, ...]],
) -> Outlines:
    points = [
        p
        for polygons in polygons_by_commune.values()
        for polygon in polygons
        for ring in polygon
        for p in ring
    ]
    lon_min = min(p[0] for p in points)
    lon_max = max(p[0] for p in points)
    lat_min = min(p[1] for p in points)
    lat_max = max(p[1] for p in points)
    squeeze = math.cos(math.radians((lat_min + lat_max) / 2))
    scale = WIDTH / max((lon_max - lon_min) * squeeze, 1e-9)

    def at(p: tuple[float, float]) -> Point:
        return (
            round((p[0] - lon_min) * squeeze * scale) + MARGIN,
            round((lat_max - p[1]) * scale) + MARGIN,
        )

    shapes: dict[str, str] = {}
    for insee, polygons in polygons_by_commune.items():
        rings: list[Ring] = []
        for polygon in polygons:
            for index, ring in enumerate(polygon):
                projected = _clean([at(p) for p in ring])
                if len(projected) >= 3:
                    # Outer rings one way round, holes the other, so shared edges cancel.
                    rings.append(_oriented(projected, outer=index == 0))
        if len(polygons) > 1:
            rings = _dissolve(rings)
        shapes[insee] = _path(rings)
    height = round((lat_max - lat_min) * scale) + 2 * MARGIN
    return Outlines(WIDTH + 2 * MARGIN, height, shapes, sources)


def _clean(ring: list[Point]) -> Ring:
    """The ring without its closing point nor points repeated by the rounding."""
    cleaned: Ring = []
    for point in ring:
        if not cleaned or cleaned[-1] != point:
            cleaned.append(point)
    while len(cleaned) > 1 and cleaned[0] == cleaned[-1]:
        cleaned.pop()
    return cleaned


def _area2(ring: Ring) -> int:
    return sum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
    )


def _oriented(ring: Ring, *, outer: bool) -> Ring:
    return ring if (_area2(ring) > 0) == outer else ring[::-1]


def _dissolve(rings: list[Ring]) -> list[Ring]:
    """The rings of merged communes with their common borders removed: an edge drawn once each
    way is inside; the edges left are chained back into rings. Where the outlines do not match
    exactly (or the chaining is ambiguous) the rings are kept as they are."""
    edges = [(a, b) for ring in rings for a, b in zip(ring, ring[1:] + ring[:1], strict=True)]
    present = set(edges)
    kept = [(a, b) for a, b in edges if (b, a) not in present]
    following: dict[Point, list[Point]] = defaultdict(list)
    for a, b in kept:
        following[a].append(b)
    if any(len(ends) != 1 for ends in following.values()):
        return rings
    dissolved: list[Ring] = []
    unused = {a: ends[0] for a, ends in following.items()}
    while unused:
        start, point = next(iter(unused.items()))
        del unused[start]
        ring = [start]
        while point != start:
            ring.append(point)
            if point not in unused:
                return rings
            point = unused.pop(point)
        dissolved.append(ring)
    return [ring for ring in dissolved if len(ring) >= 3]


def _path(rings: Iterable[Ring]) -> str:
    """SVG path data: an absolute start per ring, then relative steps, closed."""
    parts: list[str] = []
    for ring in rings:
        (x0, y0), steps = ring[0], []
        previous = ring[0]
        for x, y in ring[1:]:
            steps.append(f"{x - previous[0]} {y - previous[1]}")
            previous = (x, y)
        parts.append(f"M{x0} {y0}l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")
