"""The reference list of communes (COG 2026, engine/reference/communes-2026.csv): population,
EPCI, and the codes of the communes merged since 2018 (`former_codes`), loaded once."""

from __future__ import annotations

from dataclasses import dataclass

from engine.once import once
from engine.rulebook.communes import current_communes


@dataclass(frozen=True)
class CommuneRef:
    insee: str
    name: str
    population: int
    epci_siren: str  # empty for the few communes outside any EPCI (islands)
    epci_name: str
    departement: str = ""


@dataclass(frozen=True)
class EpciRef:
    siren: str
    name: str
    population: int  # the sum of its communes' (those of the département asked for)
    communes: tuple[str, ...]


@once
def _current() -> dict[str, CommuneRef]:
    return {
        row["insee"]: CommuneRef(
            row["insee"],
            row["name"],
            int(row["population"] or 0),
            row["epci_siren"],
            row["epci_name"],
            row["departement"],
        )
        for row in current_communes()
    }


@once
def _merged() -> dict[str, str]:
    """Each former code → the current commune that took it in."""
    mapping: dict[str, str] = {}
    for row in current_communes():
        for former in row["former_codes"].split():
            mapping.setdefault(former, row["insee"])
    return mapping


def preload() -> None:
    """Read the reference list and the merges now (a server's start), not at a first request."""
    _current()
    _merged()


def current_code(insee: str) -> str | None:
    """The current commune of a code: itself when current, the commune nouvelle a 2018 code
    merged into, None when unknown."""
    if insee in _current():
        return insee
    return _merged().get(insee)


def commune(insee: str) -> CommuneRef | None:
    """The current commune of `insee` (a current code or one merged since 2018)."""
    code = current_code(insee)
    return None if code is None else _current()[code]


@once
def communes_of_department(dep: str) -> tuple[CommuneRef, ...]:
    """The current communes of a département, by code."""
    return tuple(sorted((c for c in _current().values() if c.departement == dep), key=_insee))


@once
def epcis_of_department(dep: str) -> tuple[EpciRef, ...]:
    """The EPCIs the communes of a département belong to, by name; population and communes
    counted within the département."""
    members: dict[str, list[CommuneRef]] = {}
    for c in communes_of_department(dep):
        if c.epci_siren:
            members.setdefault(c.epci_siren, []).append(c)
    return tuple(
        sorted(
            (
                EpciRef(
                    siren,
                    group[0].epci_name,
                    sum(c.population for c in group),
                    tuple(c.insee for c in group),
                )
                for siren, group in members.items()
            ),
            key=lambda e: e.name,
        )
    )


@once
def epci(siren: str) -> EpciRef | None:
    """An EPCI anywhere, its population the sum of all its communes'."""
    group = [c for c in _current().values() if c.epci_siren == siren]
    if not group:
        return None
    return EpciRef(
        siren,
        group[0].epci_name,
        sum(c.population for c in group),
        tuple(sorted(c.insee for c in group)),
    )


@once
def epci_populations() -> dict[str, int]:
    """Every EPCI's population (the sum of its communes'), in one pass."""
    totals: dict[str, int] = {}
    for c in _current().values():
        if c.epci_siren:
            totals[c.epci_siren] = totals.get(c.epci_siren, 0) + c.population
    return totals


def _insee(c: CommuneRef) -> str:
    return c.insee
