"""The outbox: notification rows written in the transaction that caused them.

`enqueue` renders one email (engine/notify/render.py) into an outbox row and, for every active
user whose address it is, an in-app notification row, in the caller's transaction: the state
change, its event, its emails and its notifications commit or roll back together.

Who receives what: the holder's contacts (the organisation's users and its address), the members
of each funder concerned (its users and its address), the chair.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
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

_READERS = "readers_by_email"  # the cache of `readers_of`, in the transaction's session


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
    (message,) = enqueue_all(
        session,
        kind,
        [recipient],
        context,
        application_id=application_id,
        attachments=attachments,
        session_id=session_id,
    )
    return message


def enqueue_all(
    session: Session,
    kind: str,
    recipients: Sequence[str],
    context: dict[str, Any],
    *,
    application_id: int | None = None,
    attachments: list[int] | None = None,
    session_id: int | None = None,
) -> list[OutboxMessage]:
    """One email to each of `recipients`, the same text rendered once.

    Nothing is flushed here: each notification points to its email through the relationship,
    so the transaction's flush inserts all its emails, then all their notifications, in a
    statement each (a close queues thousands).
    """
    if not recipients:
        return []
    subject, text, html = render_email(kind, context)
    # One line: a title typed with a newline stays a header.
    subject = " ".join(subject.split())[:300]
    readers = readers_of(session, recipients)
    messages = []
    for recipient in recipients:
        message = OutboxMessage(
            kind=kind,
            recipient=recipient,
            subject=subject,
            body_text=text,
            body_html=html,
            attachments=list(attachments or []),
            application_id=application_id,
            message_id=_message_id(),
        )
        session.add(message)
        session.add_all(
            Notification(
                user_id=user_id,
                kind=kind,
                title=subject,
                body=text,
                application_id=application_id,
                session_id=session_id,
                outbox=message,
            )
            for user_id in readers[recipient]
        )
        messages.append(message)
    return messages


def readers_of(session: Session, recipients: Iterable[str]) -> dict[str, list[int]]:
    """The active users of each address (their in-app notification), looked up once per
    transaction: a close writes thousands of emails to a few dozen addresses."""
    known: dict[str, list[int]] = session.info.setdefault(_READERS, {})
    missing = [r for r in recipients if r not in known]
    if missing:
        for recipient in missing:
            known[recipient] = []
        query = (
            select(User.id, User.email)
            .where(col(User.email).in_(missing), col(User.active))
            .order_by(col(User.id))
        )
        with session.no_autoflush:  # the users do not depend on what is queued: keep it pending
            for user_id, email in session.exec(query):
                if user_id is not None and email is not None:
                    known[email].append(user_id)
    return known


def remember_readers(session: Session, readers: Mapping[str, list[int]]) -> None:
    """Readers already looked up (in a batch's reading transaction) for this transaction."""
    session.info.setdefault(_READERS, {}).update(readers)


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
    return enqueue_all(
        session,
        kind,
        holder_recipients(session, application),
        base,
        application_id=application.id,
        attachments=attachments,
    )
