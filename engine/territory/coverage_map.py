"""The coverage of the territory by funded actions (DESIGN §11): each commune of the département
with its actions per 1 000 inhabitants, sorted into five classes of a sequential palette (plus
one colour for "no action"), the communes and EPCIs without any action, and the map drawn as
a server-side SVG from the outlines (engine/territory/outlines.py).

Pure: figures in, figures and markup out; the statistics (engine/services/statistics.py) count
the actions, the pages lay them out.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from engine.formatting import format_number, plural
from engine.territory.outlines import Outlines
from engine.territory.reference import communes_of_department, current_code, epcis_of_department

# ColorBrewer "Blues" (sequential, colour-blind safe), lightest to darkest.
PALETTE = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_ACTION = "#fbe6c5"  # a light sand: set apart from the blues at a glance
BORDER = "#ffffff"
TEXT = "#161616"
CLASSES = len(PALETTE)
THOUSAND = Decimal(1000)
CENT = Decimal("0.01")
NO_EPCI = "Hors intercommunalité"


@dataclass(frozen=True)
class CommuneCoverage:
    insee: str
    name: str
    epci_siren: str
    epci_name: str
    population: int
    actions: int
    per_1000: Decimal | None  # exact; None for an unpeopled commune
    level: int  # 0: no action; 1 (lightest) to 5 (darkest)
    colour: str

    @property
    def per_1000_text(self) -> str:
        return rate_text(self.per_1000) if self.actions else "0"


@dataclass(frozen=True)
class Level:
    """One class of the legend: the actions per 1 000 inhabitants from `low` to `high`."""

    index: int  # 0: no action
    colour: str
    low: Decimal
    high: Decimal
    communes: int

    @property
    def label(self) -> str:
        if self.index == 0:
            return "Aucune action"
        low, high = rate_text(self.low), rate_text(self.high)
        return low if low == high else f"De {low} à {high}"


@dataclass(frozen=True)
class EpciWithout:
    siren: str
    name: str
    population: int
    communes: int


@dataclass(frozen=True)
class Coverage:
    department: str
    communes: tuple[CommuneCoverage, ...]  # every commune of the département, by name
    levels: tuple[Level, ...]  # "no action" first, then the classes, lightest first
    epcis_without_action: tuple[EpciWithout, ...]

    @property
    def covered(self) -> list[CommuneCoverage]:
        """The communes with at least one action, most actions per 1 000 inhabitants first."""
        rows = [c for c in self.communes if c.actions]
        return sorted(rows, key=lambda c: (-(c.per_1000 or 0), c.name))

    @property
    def uncovered(self) -> list[CommuneCoverage]:
        return [c for c in self.communes if not c.actions]

    def uncovered_by_epci(self) -> list[tuple[str, list[CommuneCoverage]]]:
        """The communes without action grouped by EPCI (EPCIs by name)."""
        groups: dict[str, list[CommuneCoverage]] = {}
        for c in self.uncovered:
            groups.setdefault(c.epci_name or NO_EPCI, []).append(c)
        return sorted(groups.items(), key=lambda item: _sort_key(item[0]))


def rate_text(value: Decimal | None) -> str:
    """Actions per 1 000 inhabitants the French way, to the hundredth: `0,25`, `< 0,01`."""
    if value is None:
        return "—"
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded.is_zero() and value > 0:
        return f"< {format_number(CENT)}"
    return format_number(rounded)


def _sort_key(name: str) -> str:
    # Accents aside, as a French reader expects (Échirolles among the E).
    plain = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()


def coverage(actions: Mapping[str, int], department: str) -> Coverage:
    """The coverage of `department` given the funded actions per commune (INSEE code → count;
    a code merged since 2018 counts for its current commune, other départements are ignored)."""
    counts: dict[str, int] = {}
    for insee, count in actions.items():
        current = current_code(insee)
        if current is not None:
            counts[current] = counts.get(current, 0) + count
    refs = communes_of_department(department)
    rates = {
        c.insee: Decimal(counts[c.insee]) * THOUSAND / c.population
        for c in refs
        if counts.get(c.insee, 0) > 0 and c.population > 0
    }
    bounds = _class_bounds(sorted(set(rates.values())))
    if not bounds and any(counts.get(c.insee, 0) > 0 for c in refs):
        bounds = [Decimal(0)]  # actions only where nobody lives: one class all the same
    colours = _colours(len(bounds))
    rows = []
    for c in refs:
        count = counts.get(c.insee, 0)
        rate = rates.get(c.insee)
        if count <= 0:
            level, colour = 0, NO_ACTION
            rate = Decimal(0) if c.population > 0 else None
        elif rate is None:  # an action in a commune without inhabitants: the darkest class
            level, colour = len(bounds), colours[-1]
        else:
            level = next(i for i, bound in enumerate(bounds, start=1) if rate <= bound)
            colour = colours[level - 1]
        rows.append(
            CommuneCoverage(
                c.insee, c.name, c.epci_siren, c.epci_name, c.population, count, rate, level, colour
            )
        )
    rows.sort(key=lambda r: (_sort_key(r.name), r.insee))
    levels = [Level(0, NO_ACTION, Decimal(0), Decimal(0), sum(1 for r in rows if not r.level))]
    for index, (bound, colour) in enumerate(zip(bounds, colours, strict=True), start=1):
        inside = [r.per_1000 for r in rows if r.level == index and r.per_1000 is not None]
        levels.append(Level(index, colour, min(inside, default=bound), bound, len(inside)))
    covered_epcis = {r.epci_siren for r in rows if r.actions}
    without = tuple(
        EpciWithout(e.siren, e.name, e.population, len(e.communes))
        for e in sorted(epcis_of_department(department), key=lambda e: _sort_key(e.name))
        if e.siren not in covered_epcis
    )
    return Coverage(department, tuple(rows), tuple(levels), without)


def _class_bounds(values: list[Decimal]) -> list[Decimal]:
    """Upper bounds of at most five classes holding about as many communes each (quantiles):
    rates are skewed (a village with one action outweighs a city with ten), equal intervals
    would leave most classes empty."""
    if not values:
        return []
    bounds: list[Decimal] = []
    for k in range(1, CLASSES + 1):
        bound = values[math.ceil(k * len(values) / CLASSES) - 1]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def _colours(count: int) -> list[str]:
    """`count` colours of the palette spread from light to dark, the darkest always used."""
    if count <= 0:
        return []
    return [PALETTE[math.ceil((i + 1) * CLASSES / count) - 1] for i in range(count)]


def coverage_svg(coverage: Coverage, outlines: Outlines, title: str, *, uid: str = "carte") -> str:
    """The map: one path per commune (`data-insee`, a <title> with its name and figure), the
    legend underneath; `role="img"` labelled by its title and a one-sentence description."""
    by_insee = {c.insee: c for c in coverage.communes}
    legend_top = outlines.height + 24
    row = 34
    height = legend_top + 44 + row * len(coverage.levels)
    covered = len(coverage.communes) - coverage.levels[0].communes
    description = (
        f"{plural(covered, 'commune')} sur {format_number(len(coverage.communes))} "
        f"avec au moins une action financée ; classes : "
        + " ; ".join(f"{level.label.lower()} ({level.communes})" for level in coverage.levels[1:])
        if covered
        else f"Aucune des {format_number(len(coverage.communes))} communes n'a d'action financée."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cf-map" role="img" '
        f'viewBox="0 0 {outlines.width} {height}" width="100%" '
        f'aria-labelledby="{uid}-titre {uid}-description">',
        f'<title id="{uid}-titre">{escape(title)}</title>',
        f'<desc id="{uid}-description">{escape(description)}</desc>',
        f'<g stroke="{BORDER}" stroke-width="0.8" stroke-linejoin="round" fill-rule="evenodd">',
    ]
    for insee, data in sorted(outlines.shapes.items()):
        c = by_insee.get(insee)
        if c is None:
            continue
        if c.actions:
            figure = (
                f"{plural(c.actions, 'action financée', 'actions financées')}, "
                f"{c.per_1000_text} pour 1 000 habitants"
            )
        else:
            figure = "aucune action financée"
        parts.append(
            f'<path d="{data}" fill="{c.colour}" data-insee="{insee}">'
            f"<title>{escape(c.name)} : {escape(figure)}</title></path>"
        )
    parts.append("</g>")
    parts.append(
        f'<g class="cf-map-legend" font-size="22" fill="{TEXT}">'
        f'<text x="8" y="{legend_top + 22}" font-weight="bold">'
        "Actions financées pour 1 000 habitants</text>"
    )
    for index, level in enumerate(coverage.levels):
        y = legend_top + 44 + index * row
        parts.append(
            f'<rect x="8" y="{y}" width="40" height="24" fill="{level.colour}" '
            f'stroke="#666666" stroke-width="1"/>'
            f'<text x="60" y="{y + 19}">{escape(level.label)} '
            f"({escape(plural(level.communes, 'commune'))})</text>"
        )
    parts.append("</g></svg>")
    return "".join(parts)
