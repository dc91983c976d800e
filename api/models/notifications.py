"""In-app notifications of the current user."""

from __future__ import annotations

from api.models.common import Out, Timestamp


class NotificationOut(Out):
    id: int
    kind: str
    title: str
    body: str
    application_id: int | None
    session_id: int | None
    created_at: Timestamp
    read_at: Timestamp | None
    read: bool


class NotificationPageOut(Out):
    """`{items, total, unread}`, newest first."""

    items: list[NotificationOut]
    total: int
    unread: int
    offset: int
    limit: int


class ReadAllOut(Out):
    marked: int
    unread: int
