"""The outbox: notification rows written in the transaction that caused them.

`enqueue` renders one email (engine/notify/render.py) into an outbox row and, for every active
user whose address it is, an in-app notification row, in the caller's transaction: the state
change, its event, its emails and its notifications commit or roll back together.

Who receives what: the holder's contacts (the organisation's users and its address), the members
of each funder concerned (its users and its address), the chair.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from engine.models import (
    Application,
    CallEnvelope,
    Funder,
    Notification,
    Organisation,
    OutboxMessage,
    User,
)
from engine.notify.render import render_email


def _message_id(domain: str = "cofinance.local") -> str:
    # Stable per row: a resend after a crash carries the same Message-ID.
    return f"<{secrets.token_hex(16)}@{domain}>"


def enqueue(
    session: Session,
    kind: str,
    recipient: str,
    context: dict[str, Any],
    *,
    application_id: int | None = None,
    attachments: list[int] | None = None,
    session_id: int | None = None,
) -> OutboxMessage:
    subject, text, html = render_email(kind, context)
    subject = " ".join(subject.split())  # one line: a title typed with a newline stays a header
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        attachments=attachments or [],
        application_id=application_id,
        message_id=_message_id(),
    )
    session.add(message)
    session.flush()
    for user_id in _users_reading(session, recipient):
        session.add(
            Notification(
                user_id=user_id,
                kind=kind,
                title=message.subject,
                body=text,
                application_id=application_id,
                session_id=session_id,
                outbox_id=message.id,
            )
        )
    return message


def _users_reading(session: Session, recipient: str) -> list[int]:
    """The active users of an address (their in-app notification), looked up once per
    transaction: a close writes thousands of emails to a few dozen addresses."""
    known: dict[str, list[int]] = session.info.setdefault("users_by_email", {})
    if recipient not in known:
        query = select(User.id).where(User.email == recipient, col(User.active))
        known[recipient] = [i for i in session.exec(query) if i is not None]
    return known[recipient]


def _unique(emails: Iterable[str | None]) -> list[str]:
    return sorted({e for e in emails if e})


def holder_recipients(session: Session, application: Application) -> list[str]:
    organisation = session.get(Organisation, application.organisation_id)
    users = session.exec(
        select(User).where(User.organisation_id == application.organisation_id, col(User.active))
    )
    emails = [u.email for u in users]
    if organisation is not None:
        emails.append(organisation.email)
    return _unique(emails)


def funder_recipients(session: Session, funder: Funder) -> list[str]:
    users = session.exec(select(User).where(User.funder_id == funder.id, col(User.active)))
    return _unique([*(u.email for u in users), funder.email])


def chair_recipients(session: Session) -> list[str]:
    chairs = session.exec(select(User).where(User.role == "chair", col(User.active)))
    return _unique(u.email for u in chairs)


def committee_recipients(session: Session, call_id: int) -> list[tuple[str, str]]:
    """(name, email) of the people convened to a session: the chair and the funders of its call."""
    funder_ids = set(
        session.exec(select(CallEnvelope.funder_id).where(CallEnvelope.call_id == call_id))
    )
    users = session.exec(select(User).where(col(User.active)))
    people = [
        (u.name, u.email)
        for u in users
        if u.email and (u.role == "chair" or (u.role == "funder" and u.funder_id in funder_ids))
    ]
    funders = session.exec(select(Funder).where(col(Funder.id).in_(funder_ids)))
    people += [(f.name, f.email) for f in funders if f.email]
    seen: dict[str, str] = {}
    for name, email in people:
        assert email is not None
        seen.setdefault(email, name)
    return sorted((name, email) for email, name in seen.items())


def notify_holder(
    session: Session,
    application: Application,
    kind: str,
    attachments: list[int] | None = None,
    **context: Any,
) -> list[OutboxMessage]:
    organisation = session.get(Organisation, application.organisation_id)
    base = {
        "application": application,
        "organisation": organisation,
        **context,
    }
    return [
        enqueue(session, kind, email, base, application_id=application.id, attachments=attachments)
        for email in holder_recipients(session, application)
    ]
