"""Read models: the rows one screen or answer shows, gathered in a fixed number of queries.

Services return these (or plain rows); the web layer (api/models) gives them their JSON shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from engine.models import Application, Call, Document, Event, Funder, Meeting, Share
from engine.services.plans import EnvelopeUse, envelope_use, flags_for
from engine.services.production import Progress


@dataclass(frozen=True)
class ShareLine:
    """A share of an application, with the code of the funder it asks."""

    funder: str
    share: Share


@dataclass(frozen=True)
class ApplicationRead:
    """An application with what its screen shows beside the row.

    `result` is its stored rule result (None until submitted); in lists it is read without its
    trace and its per-funder detail (see read_summaries). `documents` are the kinds attached.
    """

    application: Application
    result: dict[str, Any] | None
    shares: list[ShareLine]
    documents: list[str]
    flags: dict[str, Any]


@dataclass(frozen=True)
class ApplicationPage:
    """One page of a list of applications, and how many there are in all."""

    items: list[ApplicationRead]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class CallRead:
    """A call for projects with the envelope of each funder taking part."""

    call: Call
    envelopes: list[EnvelopeUse]


@dataclass(frozen=True)
class EventRead:
    """An event of the audit trail, with who acted as the holder may read it."""

    event: Event
    actor: str


@dataclass(frozen=True)
class MeetingRead:
    """The session screen: the meeting, its agenda (light), each funder's envelope use."""

    meeting: Meeting
    agenda: list[ApplicationRead]
    envelopes: list[EnvelopeUse]
    # How far the letters, minutes and convocations it called for are produced.
    production: Progress = field(default_factory=Progress)
    # The calls whose files it examines, its main call first (empty: just `meeting.call_id`).
    call_ids: list[int] = field(default_factory=list)
    # The call of each envelope of `envelopes` (a session over several calls lists each call's).
    envelope_call_ids: list[int] = field(default_factory=list)


def read_application(session: Session, application: Application) -> ApplicationRead:
    return read_applications(session, [application])[0]


def read_applications(
    session: Session,
    applications: Sequence[Application],
    results: Sequence[dict[str, Any] | None] | None = None,
) -> list[ApplicationRead]:
    """Several applications in three queries whatever their number (funders, shares, documents).

    `results`, when given, stands for each application's stored rule result (see read_summaries).
    """
    if not applications:
        return []
    ids = [a.id for a in applications]
    codes = {f.id or 0: f.code for f in session.exec(select(Funder))}
    shares: dict[int | None, list[Share]] = {i: [] for i in ids}
    for share in session.exec(
        select(Share).where(col(Share.application_id).in_(ids)).order_by(col(Share.id))
    ):
        shares[share.application_id].append(share)
    kinds: dict[int | None, set[str]] = {i: set() for i in ids}
    for application_id, kind in session.exec(
        select(Document.application_id, Document.kind).where(col(Document.application_id).in_(ids))
    ):
        kinds[application_id].add(kind)
    if results is None:
        results = [a.result for a in applications]
    return [
        ApplicationRead(
            application=a,
            result=result,
            shares=[ShareLine(codes[s.funder_id], s) for s in shares[a.id]],
            documents=sorted(kinds[a.id]),
            flags=flags_for(a, shares[a.id], codes),
        )
        for a, result in zip(applications, results, strict=True)
    ]


def read_summaries(session: Session, query: SelectOfScalar[Application]) -> list[ApplicationRead]:
    """The applications of a list page (`query`): their stored rule result is read as its summary
    (`list_result`: without its trace and per-funder detail, which lists never show)."""
    applications = list(session.exec(query.options(defer(Application.result))))  # type: ignore[arg-type]
    return read_applications(session, applications, [a.result_summary for a in applications])


def read_call(session: Session, call: Call) -> CallRead:
    return CallRead(call, envelope_use(session, call.id or 0))
