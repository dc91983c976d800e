"""INSEE commune codes and names (COG 2018), loaded once from the package's reference data."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def communes() -> dict[str, str]:
    text = resources.files("engine.reference").joinpath("communes-2018.csv").read_text("utf-8")
    return {row["insee"]: row["name"] for row in csv.DictReader(text.splitlines())}


def department_of(insee: str) -> str:
    """The département code of a commune: 2 characters, 3 for overseas (97x)."""
    return insee[:3] if insee.startswith("97") else insee[:2]


def commune_name(insee: str) -> str | None:
    return communes().get(insee)
