"""Input field types for applications and scheme facts: strict, French-error-free, float-free."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from engine.rulebook.money import MONEY_LIMIT, MONEY_PATTERN, to_decimal, to_money


def _ratio(value: Any) -> Decimal:
    result = to_decimal(value, max_places=6)
    if not Decimal(0) <= result <= Decimal(1):
        raise ValueError("must lie between 0 and 1")
    return result


def _quantity(value: Any) -> Decimal:
    result = to_decimal(value, max_places=4)
    if result < 0:
        raise ValueError("cannot be negative")
    return result


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not a YYYY-MM-DD date: {value!r}") from None
    raise ValueError("expected a date as YYYY-MM-DD")


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a whole number")
    if value < 0:
        raise ValueError("cannot be negative")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


_as_text = PlainSerializer(lambda v: str(v), return_type=str, when_used="json")

# What the OpenAPI document says of an amount: the text `to_money` reads, or a JSON number.
_money_schema = WithJsonSchema(
    {
        "anyOf": [
            {"type": "string", "pattern": MONEY_PATTERN},
            {"type": "number", "minimum": 0, "exclusiveMaximum": float(MONEY_LIMIT)},
        ]
    },
    mode="validation",
)

Money = Annotated[Decimal, BeforeValidator(to_money), _as_text, _money_schema]
"""Euros, at most two decimals, never negative, never a float or a boolean in disguise.

The one money type of every input: as text, ASCII digits with at most two decimals and nothing
else (no sign, spaces, `_`, exponent or other script's digits); JSON numbers are read exactly."""
Ratio = Annotated[Decimal, BeforeValidator(_ratio), _as_text]
Quantity = Annotated[Decimal, BeforeValidator(_quantity), _as_text]
Day = Annotated[date, BeforeValidator(_day)]
Count = Annotated[int, BeforeValidator(_count)]
Flag = Annotated[bool, BeforeValidator(_flag)]
