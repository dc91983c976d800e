"""Delivery of outbox rows: as .eml files under the data folder (the default) or by SMTP."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlmodel import Session, select

from engine.access import SYSTEM
from engine.audit import transition
from engine.clock import now
from engine.db import Database
from engine.models import Application, Letter, OutboxMessage
from engine.settings import Settings

MAX_ATTEMPTS = 8


def build_message(session: Session, row: OutboxMessage, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    for letter_id in row.attachments:
        letter = session.get(Letter, letter_id)
        if letter is None:
            continue
        data = (letters_dir(settings) / letter.stored_name).read_bytes()
        message.add_attachment(
            data, maintype="application", subtype="pdf", filename=f"{letter.title}.pdf"
        )
    return message


def letters_dir(settings: Settings) -> Path:
    path = settings.data_dir / "letters"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_eml(message: EmailMessage, row: OutboxMessage, settings: Settings) -> None:
    folder = settings.data_dir / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{row.id:08d}-{row.kind}.eml"
    temporary = target.with_suffix(".tmp")
    temporary.write_bytes(bytes(message))
    temporary.replace(target)


def _after_delivery(session: Session, row: OutboxMessage) -> None:
    """A delivered decision email means the holder has been notified."""
    if row.kind != "decision" or row.application_id is None:
        return
    application = session.get(Application, row.application_id)
    if application is not None and application.state == "decided":
        transition(
            session,
            "application",
            application,
            "notify",
            SYSTEM,
            application_id=application.id,
            data={"outbox": row.id},
        )


def dispatch_outbox(db: Database, settings: Settings, limit: int = 100) -> int:
    """Deliver what is due; returns how many rows were delivered."""
    with db.reading() as session:
        due = list(
            session.exec(
                select(OutboxMessage.id)
                .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now())
                .order_by(OutboxMessage.id)  # type: ignore[arg-type]
                .limit(limit)
            )
        )
    delivered = 0
    for row_id in due:
        with db.transaction() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or row.state != "pending":
                continue
            try:
                _write_eml(build_message(session, row, settings), row, settings)
            except OSError as exc:
                row.attempts += 1
                row.last_error = str(exc)[:2000]
                row.state = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
                row.next_attempt_at = now() + timedelta(seconds=30 * 2**row.attempts)
                continue
            row.state = "sent"
            row.attempts += 1
            row.sent_at = now()
            _after_delivery(session, row)
            delivered += 1
    return delivered
