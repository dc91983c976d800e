"""The outbox: notification rows written in the transaction that caused them."""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session, select

from engine.models import Application, Organisation, OutboxMessage, User
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
) -> OutboxMessage:
    subject, text, html = render_email(kind, context)
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=attachments or [],
        application_id=application_id,
        message_id=_message_id(),
    )
    session.add(message)
    return message


def holder_recipients(session: Session, application: Application) -> list[str]:
    organisation = session.get(Organisation, application.organisation_id)
    users = session.exec(
        select(User).where(User.organisation_id == application.organisation_id, User.active)
    )
    emails = [u.email for u in users if u.email]
    if organisation is not None and organisation.email:
        emails.append(organisation.email)
    return sorted(set(emails))


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
