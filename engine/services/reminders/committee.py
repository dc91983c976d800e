"""Reminders to the committee: convocations before a session (or, to the chair, that they are
due), and the funders with shares still undecided on its agenda."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session, col, select

from engine.clock import now
from engine.db import Database
from engine.models import (
    AgendaItem,
    Application,
    Event,
    Funder,
    Letter,
    Meeting,
    OutboxMessage,
    Share,
)
from engine.notify.outbox import chair_recipients, enqueue, enqueue_all, funder_recipients
from engine.services.meetings import recipients
from engine.services.reminders.once import Skip, send_once
from engine.services.reminders.timing import days_before, stamp_of
from engine.settings import Settings
from workflows.share import SHARE

UNDECIDED = SHARE.tagged("undecided")
UPCOMING = ("planned", "convened")


def _agenda_count(session: Session, session_id: int) -> int:
    return len(list(session.exec(select(AgendaItem.id).where(AgendaItem.session_id == session_id))))


def _convened_at(session: Session, session_id: int) -> datetime | None:
    return session.exec(
        select(Event.created_at)
        .where(Event.entity == "session", Event.entity_id == session_id, Event.action == "convene")
        .order_by(col(Event.id))
    ).first()


def _convocation_of(session: Session, meeting: Meeting, email: str) -> list[int]:
    """The convocation PDF this person was last sent, with the session pack sent with it."""
    letters = set(
        session.exec(
            select(Letter.id).where(
                Letter.session_id == meeting.id, col(Letter.kind).in_(("convocation", "pack"))
            )
        )
    )
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "convocation", OutboxMessage.recipient == email)
        .order_by(col(OutboxMessage.id).desc())
    )
    for row in rows:
        found = [i for i in row.attachments if i in letters]
        if found:
            return found[:2]
    return []


def remind_convocations(db: Database, settings: Settings) -> int:
    moment = now()
    days = settings.convocation_days_before
    with db.reading() as session:
        meetings = [
            m
            for m in session.exec(
                select(Meeting).where(col(Meeting.state).in_(UPCOMING), Meeting.starts_at > moment)
            )
            if days_before(m.starts_at, days) <= moment
        ]
        plans = []
        for meeting in meetings:
            threshold = days_before(meeting.starts_at, days)
            if meeting.state == "convened":
                convened_at = _convened_at(session, meeting.id or 0)
                if convened_at is not None and convened_at >= threshold:
                    continue  # convened within the delay: the convocations have just gone out
            plans.append((meeting, meeting.state))
    sent = 0
    for meeting, state in plans:
        stamp = stamp_of(meeting.starts_at)
        if state == "convened":
            key, kind = f"convocation:{meeting.id}:{stamp}", "convocation_reminder"
        else:
            key, kind = f"not_convened:{meeting.id}:{stamp}", "session_not_convened"
        write = partial(_write_convocation, meeting_id=meeting.id or 0, kind=kind, days=days)
        sent += send_once(db, key, kind, write, session_id=meeting.id)
    return sent


def _write_convocation(session: Session, *, meeting_id: int, kind: str, days: int) -> None:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.state not in UPCOMING:
        raise Skip
    count = _agenda_count(session, meeting_id)
    if kind == "session_not_convened":
        if meeting.state != "planned":
            raise Skip
        context: dict[str, Any] = {"meeting": meeting, "count": count, "days": days}
        enqueue_all(session, kind, chair_recipients(session), context, session_id=meeting_id)
        return
    for _, email in recipients(session, meeting):  # the people convened
        attachments = _convocation_of(session, meeting, email)
        context = {"meeting": meeting, "count": count, "attached": len(attachments)}
        enqueue(session, kind, email, context, attachments=attachments, session_id=meeting_id)


def remind_undecided_shares(db: Database, settings: Settings) -> int:
    moment = now()
    days = settings.reminder_undecided_days
    todo: list[tuple[int, int, int]] = []
    with db.reading() as session:
        meetings = [
            m
            for m in session.exec(
                select(Meeting).where(col(Meeting.state).in_(UPCOMING), Meeting.starts_at > moment)
            )
            if days_before(m.starts_at, days) <= moment
        ]
        for meeting in meetings:
            funders = set(
                session.exec(
                    select(Share.funder_id)
                    .join(AgendaItem, col(AgendaItem.application_id) == col(Share.application_id))
                    .join(Application, col(Application.id) == col(Share.application_id))
                    .where(
                        AgendaItem.session_id == meeting.id,
                        Application.eligibility == "eligible",
                        col(Share.state).in_(UNDECIDED),
                    )
                )
            )
            todo += [(meeting.id or 0, stamp_of(meeting.starts_at), f) for f in sorted(funders)]
    sent = 0
    for meeting_id, stamp, funder_id in todo:
        key = f"undecided:{meeting_id}:{funder_id}:{stamp}"
        write = partial(_write_undecided, meeting_id=meeting_id, funder_id=funder_id)
        sent += send_once(db, key, "undecided_shares", write, session_id=meeting_id)
    return sent


def _write_undecided(session: Session, *, meeting_id: int, funder_id: int) -> None:
    meeting = session.get(Meeting, meeting_id)
    funder = session.get(Funder, funder_id)
    if meeting is None or funder is None or meeting.state not in UPCOMING:
        raise Skip
    rows = session.exec(
        select(Application, Share)
        .join(AgendaItem, col(AgendaItem.application_id) == col(Application.id))
        .join(Share, col(Share.application_id) == col(Application.id))
        .where(
            AgendaItem.session_id == meeting_id,
            Application.eligibility == "eligible",
            Share.funder_id == funder_id,
            col(Share.state).in_(UNDECIDED),
        )
        .order_by(col(AgendaItem.position))
    )
    items = [
        {
            "reference": a.reference or str(a.id),
            "title": a.title,
            "requested": s.requested,
            "proposed": s.proposed,
        }
        for a, s in rows
    ]
    if not items:
        raise Skip
    context = {"meeting": meeting, "funder": funder, "items": items}
    for email in funder_recipients(session, funder):
        enqueue(session, "undecided_shares", email, context, session_id=meeting_id)
