"""What a session's close or convening records for the workers to produce, and how far they are.

The jobs are recorded in the transaction that locks the decisions (engine/services/sessions.py):
one `letter` job per decided file, one `minutes` job, one `convocation` job per member convened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.access import Actor
from engine.models import Application, Meeting, ProductionJob

CLOSE_KINDS = ("letter", "minutes")
STATUS_LABELS = {"eligible": "Recevable", "ineligible": "Non recevable", "incomplete": "Incomplet"}


def record_letters(
    session: Session, meeting: Meeting, application: Application, actor: Actor
) -> ProductionJob:
    """The decision letters of one file: to the holder, and one per funder."""
    key = f"letter:{meeting.id}:{application.id}"
    return _record(session, key, "letter", meeting, actor, application_id=application.id)


def record_minutes(session: Session, meeting: Meeting, actor: Actor) -> ProductionJob:
    return _record(session, f"minutes:{meeting.id}", "minutes", meeting, actor)


def record_convocation(
    session: Session,
    meeting: Meeting,
    actor: Actor,
    name: str,
    email: str,
    agenda: Sequence[Application],
) -> ProductionJob:
    """One member's convocation, with the agenda as it is now (the one the chair convened)."""
    return _record(
        session,
        f"convocation:{meeting.id}:{email}",
        "convocation",
        meeting,
        actor,
        data={"name": name, "email": email, "agenda": [a.id for a in agenda]},
    )


def _record(
    session: Session,
    key: str,
    kind: str,
    meeting: Meeting,
    actor: Actor,
    application_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> ProductionJob:
    job = ProductionJob(
        key=key[:200],
        kind=kind,
        session_id=meeting.id or 0,
        application_id=application_id,
        actor_id=actor.id,
        data=data or {},
    )
    session.add(job)
    return job


@dataclass(frozen=True)
class Progress:
    """How far the production of a session's documents is, by kind: (done, total). `done` and
    `total` count the session's current stage: once it is closed, the letters of its files and
    the minutes; before, its convocations."""

    kinds: dict[str, tuple[int, int]] = field(default_factory=dict)

    def of(self, kind: str) -> tuple[int, int]:
        return self.kinds.get(kind, (0, 0))

    @property
    def stage(self) -> tuple[str, ...]:
        return CLOSE_KINDS if any(k in self.kinds for k in CLOSE_KINDS) else ("convocation",)

    @property
    def done(self) -> int:
        return sum(self.of(kind)[0] for kind in self.stage)

    @property
    def total(self) -> int:
        return sum(self.of(kind)[1] for kind in self.stage)

    @property
    def minutes_ready(self) -> bool:
        done, total = self.of("minutes")
        return total > 0 and done == total


def progress(session: Session, session_id: int) -> Progress:
    rows = session.exec(
        select(ProductionJob.kind, ProductionJob.state, func.count())
        .where(ProductionJob.session_id == session_id)
        .group_by(col(ProductionJob.kind), col(ProductionJob.state))
    )
    kinds: dict[str, tuple[int, int]] = {}
    for kind, state, count in rows:
        done, total = kinds.get(kind, (0, 0))
        kinds[kind] = (done + (count if state == "done" else 0), total + count)
    return Progress(kinds)
