"""What every resource shares: strict request bodies, ids and moments in, money and times out,
files declared as files.

Every string of a request is `Text` (one line) or `MultilineText` (engine/rulebook/text.py): no
NUL, no control character, nothing UTF-8 cannot encode; every amount is `Money`. In answers,
money is a string with two decimals and a moment an ISO 8601 string with its offset, as always.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from engine.messages import invalid

MAX_ID = 2_147_483_647  # the largest id PostgreSQL's integer columns hold
MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"


def _plausible(moment: datetime) -> datetime:
    # Keeps time zone arithmetic far from datetime's limits (year 1 and 9999).
    if not 2000 <= moment.year <= 2200:
        raise invalid("year_range")
    return moment


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Moment = Annotated[datetime, AfterValidator(_plausible)]


class Body(BaseModel):
    """A request body: an unknown field is an error (422 naming it), not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """An answer."""


def _cents(value: Decimal) -> str:
    return f"{value:.2f}"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


# An amount in euros: a string with two decimals ("1500.00"), never a number.
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(_cents, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["1500.00"]}),
]
# A rate (an advance rate: "0.6000"), as the database holds it.
RatioOut = Annotated[
    Decimal,
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$", "examples": ["0.6000"]},
    ),
]
# A moment as `datetime.isoformat()` writes it, with its offset: "2027-03-01T09:00:00+00:00".
Timestamp = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
# A calendar day: "2027-03-01".
Day = Annotated[
    date,
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def binary_response(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """A 200 whose body is a file (a PDF, an image), not JSON: declared as such in the OpenAPI."""
    schema = {"type": "string", "format": "binary"}
    return {
        200: {
            "description": description,
            "content": {t: {"schema": schema} for t in sorted(media_types)},
        }
    }
