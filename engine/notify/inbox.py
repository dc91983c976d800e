"""In-app notifications: each user's own list, read and marked read by that user only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from engine.access import Actor
from engine.clock import now
from engine.db import Database
from engine.errors import NotFound, Unauthenticated
from engine.models import Notification


def notification_json(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "application_id": row.application_id,
        "session_id": row.session_id,
        "created_at": row.created_at.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
        "read": row.read_at is not None,
    }


def _user(actor: Actor) -> int:
    if actor.id is None:
        raise Unauthenticated("unauthenticated.notifications")
    return actor.id


def list_notifications(
    db: Database, actor: Actor, unread: bool = False, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    user_id = _user(actor)
    mine = select(Notification).where(Notification.user_id == user_id)
    if unread:
        mine = mine.where(col(Notification.read_at).is_(None))
    with db.reading() as session:
        total = session.exec(select(func.count()).select_from(mine.subquery())).one()
        unread_count = session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        ).one()
        rows = session.exec(mine.order_by(col(Notification.id).desc()).offset(offset).limit(limit))
        items = [notification_json(r) for r in rows]
    return {
        "items": items,
        "total": total,
        "unread": unread_count,
        "offset": offset,
        "limit": limit,
    }


def mark_read(db: Database, actor: Actor, notification_id: int) -> dict[str, Any]:
    user_id = _user(actor)
    with db.transaction() as session:
        row = session.get(Notification, notification_id)
        if row is None or row.user_id != user_id:
            raise NotFound("not_found.notification", id=notification_id)
        # others' are not even listed
        if row.read_at is None:
            row.read_at = now()
        session.flush()
        return notification_json(row)


def mark_all_read(db: Database, actor: Actor) -> dict[str, Any]:
    user_id = _user(actor)
    with db.transaction() as session:
        result = session.exec(
            update(Notification)
            .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
            .values(read_at=now())
        )
        return {"marked": result.rowcount, "unread": 0}
