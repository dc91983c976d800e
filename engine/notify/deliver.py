"""Delivery of outbox rows: by SMTP when `COFINANCE_SMTP_URL` is set, else as .eml files.

Crash-safe in three short steps, so that no database lock is held while talking to SMTP:

1. **claim** (one transaction: `FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on
   SQLite): the due rows get `attempts + 1` and a lease (`next_attempt_at = now + lease`). The new
   attempt number is the claim's token. A dispatcher that dies after this point leaves its rows
   pending: they are due again when the lease ends, and no other dispatcher takes them before.
2. **send**, outside any transaction, every message carrying its row's stable `Message-ID`;
3. **mark** (one transaction per row, only if the token still matches): `sent`, or the error with
   exponential backoff, or `failed` after `outbox_max_attempts` tries (or a permanent refusal).

So a message is sent twice only when a process dies between 2 and 3 (or a connection drops
after the server took the message but before it answered), and then with the same Message-ID,
which lets mail clients and servers recognise the copy.

Throughput: rows are claimed in batches of `outbox_batch_size`, each batch sent over one SMTP
connection (reused from message to message: smtplib resets the transaction after a refusal, a
dropped connection is opened again once), up to `outbox_parallel` batches at once in threads of
the dispatching process. Each batch is a claim of its own, with its own lease, so dispatchers in
other processes interleave with these threads exactly as with one another.
"""

from __future__ import annotations

import contextvars
import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, parseaddr
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


# Bodies in quoted-printable: 7-bit clean (no 8BITMIME needed from the relay) and readable.
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def build_message(session: Session, row: OutboxMessage, settings: Settings) -> Message:
    """The email of one outbox row: text (and HTML) alternatives, its letters attached.

    Built with the email package's classic (compat32) classes, whose headers are plain strings:
    `EmailMessage` parses every header it is given through its header registry, which made
    building and serialising a message most of the dispatcher's CPU (bench/PROFILE.md). The MIME
    structure and the headers are the same; non-ASCII addresses (SMTPUTF8) keep `EmailMessage`."""
    name, sender = parseaddr(settings.mail_from)
    if not (sender.isascii() and row.recipient.isascii()):
        return _build_international(session, row, settings)
    body: Message = _text_part(row.body_text, "plain")
    if row.body_html:
        body = _multipart("alternative", [body, _text_part(row.body_html, "html")])
    attached = [_attachment(session, letter_id) for letter_id in row.attachments]
    message = _multipart("mixed", [body, *attached]) if attached else body
    message["MIME-Version"] = "1.0"
    message["From"] = formataddr((name, sender), charset="utf-8") if name else sender
    message["To"] = row.recipient
    if row.subject.isascii():
        message["Subject"] = row.subject
    else:  # RFC 2047 encoded words (typeshed types header values as str only)
        message["Subject"] = Header(row.subject, "utf-8", header_name="Subject")  # type: ignore[assignment]
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Cofinance-Outbox"] = str(row.id)
    return message


def _text_part(text: str, subtype: str) -> Message:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(text, _UTF8_QP)
    del part["MIME-Version"]  # on the message only
    return part


def _multipart(subtype: str, parts: list[Message]) -> Message:
    # Our own boundary: the generator would otherwise compile a regular expression per message
    # to check that its random one is absent from the parts. "=_" never occurs in them: the
    # text parts are quoted-printable (a literal "=" is written "=3D"), the PDFs base64.
    message = MIMEMultipart(subtype, boundary=f"=_{secrets.token_hex(12)}", _subparts=parts)
    del message["MIME-Version"]
    return message


def _letter_pdf(session: Session, letter_id: int) -> tuple[bytes, str]:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise DeliveryError(f"attachment: no letter {letter_id}", permanent=True)
    data = blob_content(session, letter.blob_id)
    if data is None:
        raise DeliveryError(f"attachment {letter_id}: its PDF is missing", permanent=True)
    return data, f"{letter.title}.pdf"


def _attachment(session: Session, letter_id: int) -> Message:
    data, filename = _letter_pdf(session, letter_id)
    part = MIMEApplication(data, "pdf")
    del part["MIME-Version"]
    # RFC 2231 for a title with accents, as EmailMessage writes it.
    name: str | tuple[str, str, str] = filename if filename.isascii() else ("utf-8", "", filename)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def _build_international(session: Session, row: OutboxMessage, settings: Settings) -> Message:
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
        data, filename = _letter_pdf(session, letter_id)
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
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
    until: datetime  # the lease: after it another dispatcher may claim the row


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
        return [Claim(row.id or 0, row.attempts, lease) for row in rows]


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


def _load(
    db: Database, settings: Settings, claims: list[Claim]
) -> dict[int, tuple[Message, str] | DeliveryError]:
    """Every message of a batch, built from its row in one read (no SMTP meanwhile); a row
    re-claimed since (its token changed) is left out."""
    built: dict[int, tuple[Message, str] | DeliveryError] = {}
    tokens = {claim.row_id: claim.token for claim in claims}
    with db.reading() as session:
        rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(list(tokens))))
        for row in rows:
            row_id = row.id or 0
            if row.attempts != tokens[row_id]:
                continue
            try:
                built[row_id] = (build_message(session, row, settings), f"{row_id:08d}-{row.kind}")
            except DeliveryError as error:
                built[row_id] = error
    return built


def _deliver_batch(
    db: Database, settings: Settings, claims: list[Claim], unreachable: threading.Event
) -> int:
    """Send one claimed batch over one connection, marking each row as soon as the server
    answered for it. A connection that drops is opened again for the next message; a second
    failure in a row means the server cannot be reached: the rest of the batch records that
    attempt and `unreachable` stops the pass from claiming more."""
    try:
        transport: Transport | None = transport_for(settings)
    except ValueError as exc:  # a bad COFINANCE_SMTP_URL: shown on every row until fixed
        transport = None
        broken: DeliveryError | None = DeliveryError(str(exc), connection=True)
    else:
        broken = None
    delivered = 0
    dropped = 0  # connection failures in a row
    # Time one message may still take: sending is stopped that long before the lease ends.
    margin = timedelta(
        seconds=min(settings.smtp_timeout_seconds, settings.outbox_lease_seconds / 2)
    )
    try:
        built = {} if transport is None else _load(db, settings, claims)
        for index, claim in enumerate(claims):
            if broken is not None:
                # The server cannot be reached: every claimed row records this attempt.
                _mark(db, claim, _failure(broken, settings))
                continue
            assert transport is not None
            item = built.get(claim.row_id)
            if item is None:
                continue  # no longer ours
            if isinstance(item, DeliveryError):
                _mark(db, claim, _failure(item, settings))
                continue
            if now() + margin >= claim.until:
                # A slow server: another dispatcher may take these rows once the lease ends,
                # so this one stops sending them (they are due again at once).
                for rest in claims[index:]:
                    _mark(db, rest, _release)
                break
            message, name = item
            try:
                transport.send(message, name)
            except DeliveryError as error:
                log.warning("outbox %s: attempt %s failed: %s", claim.row_id, claim.token, error)
                _mark(db, claim, _failure(error, settings))
                if error.connection:
                    dropped += 1
                    if dropped >= 2:
                        broken = error
                        unreachable.set()
                continue
            dropped = 0
            if _mark(db, claim, _sent) is not None:
                delivered += 1
    finally:
        if transport is not None:
            transport.close()
    return delivered


def _release(session: Session, row: OutboxMessage) -> None:
    row.next_attempt_at = now()


def dispatch_outbox(db: Database, settings: Settings, limit: int | None = None) -> int:
    """Deliver what is due, at most `limit` rows (default `outbox_pass_max`); returns how many
    rows were delivered.

    Rows are claimed `outbox_batch_size` at a time, each batch sent over its own SMTP
    connection, up to `outbox_parallel` batches at once in threads. The claims are made here, one
    after the other, and only when a thread is free, so a claimed batch does not wait while its
    lease runs. A single batch (a small outbox) is sent in the calling thread."""
    budget = limit or settings.outbox_pass_max
    size = settings.outbox_batch_size
    parallel = settings.outbox_parallel
    unreachable = threading.Event()
    delivered = 0
    pool: ThreadPoolExecutor | None = None
    running: set[Future[int]] = set()
    try:
        while budget > 0 and not unreachable.is_set():
            if len(running) >= parallel:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                delivered += sum(future.result() for future in done)
                continue
            wanted = min(size, budget)
            claims = _claim(db, settings, wanted)
            budget -= len(claims)
            last = len(claims) < wanted or budget == 0  # nothing more due, or the pass is full
            if not claims:
                break
            if last and not running:
                delivered += _deliver_batch(db, settings, claims, unreachable)
                break
            if pool is None:
                pool = ThreadPoolExecutor(parallel, thread_name_prefix="cofinance-outbox")
            # In the caller's context: a frozen clock (engine.clock.at) holds in the threads too.
            context = contextvars.copy_context()
            running.add(pool.submit(context.run, _deliver_batch, db, settings, claims, unreachable))
            if last:
                break
    finally:
        # Every claimed batch is delivered (or recorded as failed) before the pass returns.
        done, _ = wait(running)
        if pool is not None:
            pool.shutdown()
    return delivered + sum(future.result() for future in done)


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
