"""Request bodies of the HTTP API: strict shapes, so bad input is a 422 naming the field.

Every string is `Text` (one line) or `MultilineText` (engine/rulebook/text.py): no NUL, no
control character, nothing UTF-8 cannot encode; every amount is `Money`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from engine.rulebook.text import MultilineText, Text
from engine.rulebook.types import Money, Ratio

MAX_ID = 2_147_483_647  # the largest id PostgreSQL's integer columns hold


def _plausible(moment: datetime) -> datetime:
    # Keeps time zone arithmetic far from datetime's limits (year 1 and 9999).
    if not 2000 <= moment.year <= 2200:
        raise ValueError("year must be between 2000 and 2200")
    return moment


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Moment = Annotated[datetime, AfterValidator(_plausible)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FunderIn(Body):
    code: Text = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_\-]+$")
    name: Text = Field(min_length=1, max_length=300)
    kind: Text = Field(min_length=1, max_length=50)
    insee: Text | None = Field(default=None, max_length=5)
    email: Text | None = Field(default=None, max_length=320)
    advance_rate: Ratio | None = None


class EnvelopeBody(Body):
    funder: Text = Field(min_length=1, max_length=50)
    envelope: Money


class CallIn(Body):
    scheme: Text = Field(min_length=1, max_length=50)
    title: Text = Field(min_length=1, max_length=300)
    opens_at: Moment
    closes_at: Moment
    funders: list[EnvelopeBody] = Field(min_length=1, max_length=100)


class ApplicationIn(Body):
    call_id: Id
    title: Text = Field(min_length=1, max_length=300)
    application: dict[str, Any]


class ApplicationPatch(Body):
    title: Text | None = Field(default=None, min_length=1, max_length=300)
    application: dict[str, Any] | None = None


class ReasonIn(Body):
    reason: MultilineText = Field(min_length=1, max_length=2000)


class OptionalReasonIn(Body):
    reason: MultilineText | None = Field(default=None, max_length=2000)


class ProposalIn(Body):
    amount: Money
    comment: MultilineText | None = Field(default=None, max_length=4000)


class SessionIn(Body):
    call_id: Id
    title: Text = Field(min_length=1, max_length=300)
    starts_at: Moment
    location: Text = Field(min_length=1, max_length=300)


class AgendaIn(Body):
    application_ids: list[Id] = Field(max_length=2000)


class DecisionIn(Body):
    application_id: Id
    funder: Text = Field(min_length=1, max_length=50)
    outcome: Literal["granted", "refused", "deferred"]
    amount: Money | None = None
    conditions: MultilineText | None = Field(default=None, max_length=4000)
