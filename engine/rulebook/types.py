"""Input field types for applications and scheme facts: strict, French-error-free, float-free."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, JsonValue, PlainSerializer, WithJsonSchema
from pydantic.config import JsonDict

from engine.messages import invalid
from engine.rulebook.money import MONEY_LIMIT, MONEY_PATTERN, to_decimal, to_money

_PERCENT = re.compile(r"\s*(-?[0-9]+(?:[.,][0-9]+)?)[\s\u00a0\u202f]*%\s*")


def _ratio(value: Any) -> Decimal:
    """A rate between 0 and 1, also typed as a percentage (`"60 %"` is 0.6) or with a decimal
    comma (`"0,6"`)."""
    if isinstance(value, str):
        percent = _PERCENT.fullmatch(value)
        if percent:
            value = str(to_decimal(percent[1].replace(",", ".")) / 100)
        elif re.fullmatch(r"-?[0-9]+,[0-9]+", value.strip()):
            value = value.strip().replace(",", ".")
    result = to_decimal(value, max_places=6)
    if not Decimal(0) <= result <= Decimal(1):
        raise invalid("ratio")
    return result


def _quantity(value: Any) -> Decimal:
    result = to_decimal(value, max_places=4)
    if result < 0:
        raise invalid("negative")
    return result


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise invalid("date_expected") from None
    raise invalid("date_expected")


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid("whole_number")
    if value < 0:
        raise invalid("negative")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise invalid("yes_or_no")
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

# Where a field with fixed values keeps the French label of each (engine/rulebook/labels.py).
CHOICES_KEY = "choices"


def with_choices(labels: Mapping[str, str]) -> JsonDict:
    """The `json_schema_extra` of a field whose fixed values have these French labels:
    `Field(title="Modalité", json_schema_extra=with_choices({"individual": "Individuelle"}))`."""
    return {CHOICES_KEY: dict[str, JsonValue](labels)}
