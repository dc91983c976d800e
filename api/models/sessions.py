"""Committee sessions: creation, agenda, decisions, and the session screen."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.models.applications import ApplicationSummaryOut
from api.models.common import Body, Id, Moment, MoneyOut, Out, Timestamp
from engine.models import Meeting
from engine.reads import MeetingRead
from engine.rulebook.text import MultilineText, Text
from engine.rulebook.types import Money
from engine.services.plans import EnvelopeUse
from engine.services.production import Progress


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


class _Meeting(Out):
    id: int
    call_id: int
    title: str
    starts_at: Timestamp
    location: str
    state: str
    version: int


class SessionSummaryOut(_Meeting):
    """A session as lists show it."""

    @classmethod
    def of(cls, meeting: Meeting) -> SessionSummaryOut:
        return cls.model_validate(meeting, from_attributes=True)


class EnvelopeUseOut(Out):
    """A funder's envelope for the call, and how much of it is granted or proposed."""

    funder: str
    name: str
    envelope: MoneyOut
    granted: MoneyOut
    proposed: MoneyOut
    envelope_exceeded: MoneyOut | None

    @classmethod
    def of(cls, use: EnvelopeUse) -> EnvelopeUseOut:
        return cls(
            funder=use.funder,
            name=use.name,
            envelope=use.envelope,
            granted=use.granted,
            proposed=use.proposed,
            envelope_exceeded=use.exceeded,
        )


class EnvelopeExcessOut(Out):
    funder: str
    excess: MoneyOut


class CountOut(Out):
    done: int
    total: int


class ProductionOut(CountOut):
    """How far the documents of the session's current stage are produced: once it is closed,
    the letters of each decided file and the minutes; before, the convocations. `letters`
    counts the decided files whose letters are out; `minutes_ready` says whether
    `GET …/minutes` has the minutes."""

    letters: CountOut
    minutes_ready: bool

    @classmethod
    def of(cls, progress: Progress) -> ProductionOut:
        done, total = progress.of("letter")
        return cls(
            done=progress.done,
            total=progress.total,
            letters=CountOut(done=done, total=total),
            minutes_ready=progress.minutes_ready,
        )


class SessionOut(_Meeting):
    """The session screen: every plan side by side, its flags, each funder's envelope use, and
    how far its letters are produced."""

    agenda: list[ApplicationSummaryOut]
    envelopes: list[EnvelopeUseOut]
    envelope_exceeded: list[EnvelopeExcessOut]
    production: ProductionOut

    @classmethod
    def of(cls, read: MeetingRead) -> SessionOut:
        meeting = _Meeting.model_validate(read.meeting, from_attributes=True)
        return cls(
            **dict(meeting),
            agenda=[ApplicationSummaryOut.of(item) for item in read.agenda],
            envelopes=[EnvelopeUseOut.of(use) for use in read.envelopes],
            envelope_exceeded=[
                EnvelopeExcessOut(funder=use.funder, excess=use.exceeded)
                for use in read.envelopes
                if use.exceeded is not None
            ],
            production=ProductionOut.of(read.production),
        )
