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
    """A session examines the files of `call_id`, or of several calls (`call_ids`); when both
    are given, `call_id` is its main call."""

    call_id: Id | None = None
    call_ids: list[Id] | None = Field(default=None, max_length=50)
    title: Text = Field(min_length=1, max_length=300)
    starts_at: Moment
    location: Text = Field(min_length=1, max_length=300)


class SessionPatchIn(Body):
    """Move a session before it opens: once convened, the members get an amended convocation."""

    title: Text | None = Field(default=None, min_length=1, max_length=300)
    starts_at: Moment | None = None
    location: Text | None = Field(default=None, min_length=1, max_length=300)


class AgendaIn(Body):
    application_ids: list[Id] = Field(max_length=2000)


class DecisionIn(Body):
    application_id: Id
    funder: Text = Field(min_length=1, max_length=50)
    outcome: Literal["granted", "refused", "deferred"]
    amount: Money | None = None
    conditions: MultilineText | None = Field(default=None, max_length=4000)
    # Mandatory when the chair defers the share of an absent funder.
    reason: MultilineText | None = Field(default=None, max_length=2000)


class _Meeting(Out):
    id: int
    call_id: int
    call_ids: list[int]
    title: str
    starts_at: Timestamp
    location: str
    state: str
    version: int


class SessionSummaryOut(_Meeting):
    """A session as lists show it."""

    @classmethod
    def of(cls, meeting: Meeting, call_ids: list[int] | None = None) -> SessionSummaryOut:
        return cls(**_fields(meeting, call_ids))


def _fields(meeting: Meeting, call_ids: list[int] | None) -> dict[str, object]:
    return {
        "id": meeting.id,
        "call_id": meeting.call_id,
        "call_ids": call_ids or [meeting.call_id],
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "location": meeting.location,
        "state": meeting.state,
        "version": meeting.version,
    }


class EnvelopeUseOut(Out):
    """A funder's envelope for the call, and how much of it is granted or proposed."""

    funder: str
    name: str
    envelope: MoneyOut
    granted: MoneyOut
    proposed: MoneyOut
    envelope_exceeded: MoneyOut | None
    # The call this envelope belongs to (a session may hold files of several calls).
    call_id: int | None = None

    @classmethod
    def of(cls, use: EnvelopeUse, call_id: int | None = None) -> EnvelopeUseOut:
        return cls(
            call_id=call_id,
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
        return cls(
            **_fields(read.meeting, read.call_ids),
            agenda=[ApplicationSummaryOut.of(item) for item in read.agenda],
            envelopes=[
                EnvelopeUseOut.of(use, call_id)
                for use, call_id in zip(
                    read.envelopes,
                    read.envelope_call_ids or [read.meeting.call_id] * len(read.envelopes),
                    strict=True,
                )
            ],
            envelope_exceeded=[
                EnvelopeExcessOut(funder=use.funder, excess=use.exceeded)
                for use in read.envelopes
                if use.exceeded is not None
            ],
            production=ProductionOut.of(read.production),
        )
