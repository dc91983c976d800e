"""Queuing many emails in one transaction: each reaches the right reader, written in bulk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import col, select

from engine.db import Database
from engine.models import Notification, OutboxMessage, User
from engine.notify.outbox import enqueue_all

CONTEXT = {"application": {"title": "Café des parents", "reference": "R-1"}, "reason": "RIB"}


def test_a_transaction_queuing_forty_emails_links_each_notification_to_its_own_email(
    db: Database,
) -> None:
    addresses = [f"member{i}@example.org" for i in range(40)]
    with db.transaction() as session:
        session.add_all(
            User(
                username=f"member{i}",
                name=f"Membre {i}",
                email=email,
                password_hash="-",
                role="funder",
                active=i % 4 != 0,
            )
            for i, email in enumerate(addresses)
        )
    inserts: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement.split("(")[0].split()[-1].strip('"'))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.transaction() as session:
            queued = enqueue_all(session, "documents_requested", addresses, CONTEXT)
            assert len(queued) == 40
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)

    # Forty emails, thirty notifications (the inactive members get none): one statement each,
    # on both databases.
    assert inserts == ["outbox", "notifications"]
    with db.reading() as session:
        emails = {m.id: m for m in session.exec(select(OutboxMessage))}
        readers = {u.id: u for u in session.exec(select(User))}
        notes = list(session.exec(select(Notification).order_by(col(Notification.id))))
    assert sorted(m.recipient for m in emails.values()) == sorted(addresses)
    assert len({m.message_id for m in emails.values()}) == 40
    assert len(notes) == 30
    for note in notes:
        email = emails[note.outbox_id]
        reader = readers[note.user_id]
        assert reader.active and reader.email == email.recipient
        assert note.title == email.subject and note.body == email.body_text
