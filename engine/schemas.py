"""Request bodies of the HTTP API: strict shapes, so bad input is a 422 naming the field."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.rulebook.types import Money, Ratio


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FunderIn(Body):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=300)
    kind: str = Field(min_length=1, max_length=50)
    insee: str | None = Field(default=None, max_length=5)
    email: str | None = Field(default=None, max_length=320)
    advance_rate: Ratio | None = None


class EnvelopeBody(Body):
    funder: str = Field(min_length=1, max_length=50)
    envelope: Money


class CallIn(Body):
    scheme: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=300)
    opens_at: datetime
    closes_at: datetime
    funders: list[EnvelopeBody] = Field(min_length=1, max_length=100)


class ApplicationIn(Body):
    call_id: int
    title: str = Field(min_length=1, max_length=300)
    application: dict[str, Any]


class ApplicationPatch(Body):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    application: dict[str, Any] | None = None


class ReasonIn(Body):
    reason: str = Field(min_length=1, max_length=2000)


class OptionalReasonIn(Body):
    reason: str | None = Field(default=None, max_length=2000)


class ProposalIn(Body):
    amount: Money
    comment: str | None = Field(default=None, max_length=4000)


class SessionIn(Body):
    call_id: int
    title: str = Field(min_length=1, max_length=300)
    starts_at: datetime
    location: str = Field(min_length=1, max_length=300)


class AgendaIn(Body):
    application_ids: list[int] = Field(max_length=2000)


class DecisionIn(Body):
    application_id: int
    funder: str = Field(min_length=1, max_length=50)
    outcome: Literal["granted", "refused", "deferred"]
    amount: Money | None = None
    conditions: str | None = Field(default=None, max_length=4000)
