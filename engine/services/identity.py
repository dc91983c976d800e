"""A holder's identity numbers: SIRET (Luhn key) and RNA, their checks and compact form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine.rulebook import FieldError

_LA_POSTE_SIREN = "356000000"  # La Poste's establishments use a digit-sum check instead of Luhn
_RNA = re.compile(r"W[0-9]{9}")  # ASCII digits only
_SPACES = re.compile(r"[\s\u00a0\u202f.-]")


def siret_valid(siret: str) -> bool:
    """14 ASCII digits and a right Luhn key (La Poste: the digit sum is a multiple of 5)."""
    if len(siret) != 14 or not (siret.isascii() and siret.isdigit()):
        return False
    if siret.startswith(_LA_POSTE_SIREN):
        return sum(int(d) for d in siret) % 5 == 0
    total = 0
    for position, char in enumerate(reversed(siret)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def rna_valid(rna: str) -> bool:
    return _RNA.fullmatch(rna) is not None


def compact(number: str) -> str:
    """A SIRET or RNA as typed in groups (`787 789 320 87925`), without its separators."""
    return _SPACES.sub("", number).upper()


def identity_errors(holder: Mapping[str, Any], prefix: str) -> list[FieldError]:
    """SIRET (14 digits, Luhn key) and RNA (W + 9 digits, when given) of a holder block."""
    errors = []
    at = f"{prefix}." if prefix else ""
    siret = holder.get("siret")
    if isinstance(siret, str) and siret and not siret_valid(siret):
        errors.append(FieldError(f"{at}siret", "siret_invalid"))
    rna = holder.get("rna")
    if isinstance(rna, str) and rna and not rna_valid(rna):
        errors.append(FieldError(f"{at}rna", "rna_invalid"))
    return errors
