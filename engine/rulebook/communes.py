"""INSEE commune codes and names (COG 2018 and 2026), loaded once from the package's reference
data."""

from __future__ import annotations

import csv
from importlib import resources

from engine.once import once


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("engine.reference").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@once
def communes() -> dict[str, str]:
    """Every known code: those of 2018, and the current ones (COG 2026) a commune picked today
    may have (a commune nouvelle created since)."""
    known = {row["insee"]: row["name"] for row in _read("communes-2018.csv")}
    for row in current_communes():
        known.setdefault(row["insee"], row["name"])
    return known


@once
def current_communes() -> tuple[dict[str, str], ...]:
    """The current communes (COG 2026): insee, name, departement, population, postal_codes…"""
    return tuple(_read("communes-2026.csv"))


def department_of(insee: str) -> str:
    """The département code of a commune: 2 characters, 3 for overseas (97x)."""
    return insee[:3] if insee.startswith("97") else insee[:2]


def commune_name(insee: str) -> str | None:
    return communes().get(insee)
