"""Delivery of outbox rows: by SMTP when `COFINANCE_SMTP_URL` is set, else as .eml files.

Crash-safe in three short steps, so that no database lock is held while talking to SMTP:

1. **claim** (one transaction: `FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on
   SQLite): the due rows get `attempts + 1` and a lease (`next_attempt_at = now + lease`). The new
   attempt number is the claim's token. A dispatcher that dies after this point leaves its rows
   pending: they are due again when the lease ends, and no other dispatcher takes them before.
2. **send**, outside any transaction, every message carrying its row's stable `Message-ID`;
3. **mark** (one transaction per row, only if the token still matches): `sent`, or the error with
   exponential backoff, or `failed` after `outbox_max_attempts` tries (or a permanent refusal).

So a message is sent twice only when a process dies between 2 and 3, and then with the same
Message-ID, which lets mail clients and servers recognise the copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from engine.access import Actor, require_role
from engine.audit import record
from engine.blobs import blob_content
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict, NotFound
from engine.models import Letter, Notification, OutboxMessage, User
from engine.notify.mail import (
    DeliveryError,
    EmlTransport,
    SmtpConfig,
    SmtpTransport,
    Transport,
)
from engine.services.notification import decision_email_delivered
from engine.settings import Settings

log = logging.getLogger("cofinance.outbox")


def build_message(session: Session, row: OutboxMessage, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Cofinance-Outbox"] = str(row.id)
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    for letter_id in row.attachments:
        letter = session.get(Letter, letter_id)
        if letter is None:
            raise DeliveryError(f"attachment: no letter {letter_id}", permanent=True)
        data = blob_content(session, letter.blob_id)
        if data is None:
            raise DeliveryError(f"attachment {letter_id}: its PDF is missing", permanent=True)
        message.add_attachment(
            data, maintype="application", subtype="pdf", filename=f"{letter.title}.pdf"
        )
    return message


def transport_for(settings: Settings) -> Transport:
    if settings.smtp_url:
        config = SmtpConfig.from_url(settings.smtp_url, timeout=settings.smtp_timeout_seconds)
        return SmtpTransport(config, settings.mail_from)
    return EmlTransport(settings.data_dir / "outbox")


def backoff(attempts: int, settings: Settings) -> timedelta:
    """Wait before the next try: base, 2 × base, 4 × base… capped."""
    seconds = settings.outbox_backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.outbox_backoff_max_seconds))


@dataclass(frozen=True)
class Claim:
    row_id: int
    token: int  # the attempt number this claim made; marking needs it unchanged


def _claim(db: Database, settings: Settings, limit: int) -> list[Claim]:
    moment = now()
    with db.transaction() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= moment)
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
            .limit(limit)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = list(session.exec(query))
        lease = moment + timedelta(seconds=settings.outbox_lease_seconds)
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = lease
        return [Claim(row.id or 0, row.attempts) for row in rows]


def _mark(
    db: Database, claim: Claim, update: Callable[[Session, OutboxMessage], None]
) -> OutboxMessage | None:
    """Apply `update` to the row if our claim still holds (retried on a concurrent change)."""
    for attempt in range(3):
        try:
            with db.transaction() as session:
                row = session.get(OutboxMessage, claim.row_id, with_for_update=not db.is_sqlite)
                if row is None or row.state != "pending" or row.attempts != claim.token:
                    return None  # retried by hand or re-claimed after the lease: not ours now
                update(session, row)
                return row
        except StaleDataError:
            if attempt == 2:
                raise
    return None


def _sent(session: Session, row: OutboxMessage) -> None:
    row.state = "sent"
    row.sent_at = now()
    row.last_error = None
    _after_delivery(session, row)


def _failure(error: DeliveryError, settings: Settings) -> Callable[[Session, OutboxMessage], None]:
    def update(session: Session, row: OutboxMessage) -> None:
        row.last_error = str(error)[:2000]
        if error.permanent or row.attempts >= settings.outbox_max_attempts:
            row.state = "failed"
            _tell_admins(session, row)
        else:
            row.next_attempt_at = now() + backoff(row.attempts, settings)

    return update


def _tell_admins(session: Session, row: OutboxMessage) -> None:
    """A message given up on is shown to the administrators (API and in-app)."""
    for admin in session.exec(select(User).where(User.role == "admin", col(User.active))):
        session.add(
            Notification(
                user_id=admin.id or 0,
                kind="outbox_failed",
                title=f"Message non distribué : {row.subject}"[:300],
                body=f"À {row.recipient}, après {row.attempts} essai(s) : {row.last_error}",
                application_id=row.application_id,
                outbox_id=row.id,
            )
        )


def _after_delivery(session: Session, row: OutboxMessage) -> None:
    """Report the delivery to the domain (in the transaction that records it): a decision email
    delivered means the holder has been notified (engine/services/notification.py)."""
    decision_email_delivered(session, row)


def dispatch_outbox(db: Database, settings: Settings, limit: int | None = None) -> int:
    """Deliver what is due; returns how many rows were delivered."""
    claims = _claim(db, settings, limit or settings.outbox_batch_size)
    if not claims:
        return 0
    delivered = 0
    try:
        transport = transport_for(settings)
    except ValueError as exc:  # a bad COFINANCE_SMTP_URL: shown on every row until fixed
        transport = None
        broken: DeliveryError | None = DeliveryError(str(exc), connection=True)
    else:
        broken = None
    try:
        for claim in claims:
            if broken is not None:
                # The server cannot be reached: every claimed row records this attempt.
                _mark(db, claim, _failure(broken, settings))
                continue
            assert transport is not None
            try:
                with db.reading() as session:
                    row = session.get(OutboxMessage, claim.row_id)
                    if row is None or row.attempts != claim.token:
                        continue
                    message = build_message(session, row, settings)
                    kind = row.kind
                transport.send(message, f"{claim.row_id:08d}-{kind}")
            except DeliveryError as error:
                log.warning("outbox %s: attempt %s failed: %s", claim.row_id, claim.token, error)
                _mark(db, claim, _failure(error, settings))
                if error.connection:
                    broken = error
                continue
            if _mark(db, claim, _sent) is not None:
                delivered += 1
    finally:
        if transport is not None:
            transport.close()
    return delivered


# --- The administrator's view of the outbox -------------------------------------------------


def outbox_json(row: OutboxMessage) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "recipient": row.recipient,
        "subject": row.subject,
        "state": row.state,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "message_id": row.message_id,
        "application_id": row.application_id,
        "created_at": _iso(row.created_at),
        "next_attempt_at": _iso(row.next_attempt_at) if row.state == "pending" else None,
        "sent_at": _iso(row.sent_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def list_outbox(
    db: Database, actor: Actor, state: str | None = None, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    require_role(actor, "admin")
    query = select(OutboxMessage)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    with db.reading() as session:
        # Newest first, by date (then by id among messages of the same moment).
        rows = list(
            session.exec(
                query.order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
            )
        )
        items = [outbox_json(r) for r in rows[offset : offset + limit]]
    return {"items": items, "total": len(rows), "offset": offset, "limit": limit}


def retry_message(db: Database, actor: Actor, message_id: int) -> dict[str, Any]:
    """Try a failed message once more, now (keeps its Message-ID and its history)."""
    require_role(actor, "admin")
    with db.transaction() as session:
        row = session.get(OutboxMessage, message_id, with_for_update=not db.is_sqlite)
        if row is None:
            raise NotFound("not_found.outbox", id=message_id)
        if row.state != "failed":
            raise Conflict("wrong_state.retry", state=row.state)

        row.state = "pending"
        row.next_attempt_at = now()
        record(
            session,
            "outbox",
            message_id,
            "retry",
            actor,
            from_state="failed",
            to_state="pending",
            application_id=row.application_id,
            data={"attempts": row.attempts, "last_error": row.last_error},
        )
        session.flush()
        return outbox_json(row)
