"""Calls for projects: `POST /api/v1/calls`, its list, one call, open and close."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Body, Moment, MoneyOut, Out, Timestamp
from engine.reads import CallRead
from engine.rulebook.text import Text
from engine.rulebook.types import Money


class EnvelopeBody(Body):
    funder: Text = Field(min_length=1, max_length=50)
    envelope: Money


class CallIn(Body):
    scheme: Text = Field(min_length=1, max_length=50)
    title: Text = Field(min_length=1, max_length=300)
    opens_at: Moment
    closes_at: Moment
    funders: list[EnvelopeBody] = Field(min_length=1, max_length=100)


class CallPatch(Body):
    """Only the fields sent change; `funders` is the whole new list of envelopes. An open call
    keeps its scheme, opening date and funders (one may join it); a closed call is final."""

    scheme: Text | None = Field(default=None, min_length=1, max_length=50)
    title: Text | None = Field(default=None, min_length=1, max_length=300)
    opens_at: Moment | None = None
    closes_at: Moment | None = None
    funders: list[EnvelopeBody] | None = Field(default=None, min_length=1, max_length=100)


class CallFunderOut(Out):
    funder: str
    envelope: MoneyOut


class CallOut(Out):
    id: int
    scheme: str
    title: str
    opens_at: Timestamp
    closes_at: Timestamp
    state: str
    version: int
    funders: list[CallFunderOut]

    @classmethod
    def of(cls, read: CallRead) -> CallOut:
        call = read.call
        return cls(
            id=call.id or 0,
            scheme=call.scheme,
            title=call.title,
            opens_at=call.opens_at,
            closes_at=call.closes_at,
            state=call.state,
            version=call.version,
            funders=[CallFunderOut(funder=u.funder, envelope=u.envelope) for u in read.envelopes],
        )
