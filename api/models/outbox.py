"""The outbox (administrator): emails pending, sent or failed."""

from __future__ import annotations

from api.models.common import Out, Timestamp


class OutboxMessageOut(Out):
    id: int
    kind: str
    recipient: str
    subject: str
    state: str
    attempts: int
    last_error: str | None
    message_id: str
    application_id: int | None
    created_at: Timestamp
    next_attempt_at: Timestamp | None
    sent_at: Timestamp | None


class OutboxMessageDetailOut(OutboxMessageOut):
    """One message with its content (a password reset link is masked)."""

    recipients: list[str]
    body_text: str
    has_html: bool
    attachments: int


class OutboxPageOut(Out):
    """`{items, total}`, newest first."""

    items: list[OutboxMessageOut]
    total: int
    offset: int
    limit: int
