"""Sharing an action's amount between the communes it covers (DESIGN §11): every commune but
the lowest code gets amount ÷ n rounded half-up to the cent, the lowest code gets the rest,
so the parts add up to the amount exactly."""

from __future__ import annotations

from collections.abc import Iterable, Sized
from decimal import Decimal

from engine.rulebook.money import round_cents
from engine.territory.reference import current_code


def current_codes(codes: Iterable[str]) -> list[str]:
    """The distinct current communes of a territory, sorted (a code merged since 2018 counts
    as its current commune; an unknown code stays as it is)."""
    return sorted({current_code(code) or code for code in codes})


def split(amount: Decimal, codes: Sized) -> list[Decimal]:
    """The part of each of `codes` (sorted, distinct), in the same order."""
    n = len(codes)
    if n <= 1:
        return [amount] * n
    if not amount:
        return [amount] * n
    part = round_cents(amount / n)
    return [amount - part * (n - 1), *([part] * (n - 1))]
