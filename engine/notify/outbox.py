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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from engine.clock import now
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


@dataclass(frozen=True)
class Queued:
    """An email written to the outbox: what its callers need to know of the row."""

    id: int
    recipient: str
    message_id: str
    subject: str


def enqueue(
    session: Session,
    kind: str,
    recipient: str,
    context: dict[str, Any],
    *,
    application_id: int | None = None,
    attachments: list[int] | None = None,
    session_id: int | None = None,
) -> Queued:
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
) -> list[Queued]:
    """One email to each of `recipients`, the same text rendered once, and an in-app
    notification for each active user of each address, written now (`Outbox`)."""
    outbox = Outbox(session)
    outbox.add(
        kind,
        recipients,
        context,
        application_id=application_id,
        attachments=attachments,
        session_id=session_id,
    )
    return outbox.write()


class Outbox:
    """Emails queued by the steps of one transaction: each rendered when added, all written by
    `write` in two multi-row INSERT statements (emails, then their notifications).

    Rows, not ORM objects: a close queues thousands, and building and flushing each as an object
    cost more than rendering its text; and a statement per step cost a round trip each on
    PostgreSQL. Each email's id comes back with its Message-ID, unique, which is how the
    notifications find their email.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._emails: list[dict[str, Any]] = []
        self._notes: list[tuple[str, dict[str, Any]]] = []  # (the email's Message-ID, row)

    def add(
        self,
        kind: str,
        recipients: Sequence[str],
        context: dict[str, Any],
        *,
        application_id: int | None = None,
        attachments: list[int] | None = None,
        session_id: int | None = None,
    ) -> None:
        if not recipients:
            return
        subject, text, html = render_email(kind, context)
        # One line: a title typed with a newline stays a header.
        subject = " ".join(subject.split())[:300]
        readers = readers_of(self.session, recipients)
        moment = now()
        for recipient in recipients:
            message_id = _message_id()
            self._emails.append(
                {
                    "kind": kind,
                    "recipient": recipient,
                    "subject": subject,
                    "body_text": text,
                    "body_html": html,
                    "attachments": list(attachments or []),
                    "application_id": application_id,
                    "message_id": message_id,
                    "state": "pending",
                    "attempts": 0,
                    "created_at": moment,
                    "next_attempt_at": moment,
                }
            )
            self._notes.extend(
                (
                    message_id,
                    {
                        "user_id": user_id,
                        "kind": kind,
                        "title": subject,
                        "body": text,
                        "application_id": application_id,
                        "session_id": session_id,
                        "created_at": moment,
                    },
                )
                for user_id in readers[recipient]
            )

    def write(self) -> list[Queued]:
        """Write what was added since the last `write`, in the caller's transaction."""
        emails, notes = self._emails, self._notes
        self._emails, self._notes = [], []
        if not emails:
            return []
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        returned = self.session.execute(
            insert(table).returning(table.c.message_id, table.c.id), emails
        )
        ids: dict[str, int] = dict(returned.all())
        if notes:
            self.session.execute(
                insert(Notification.__table__),  # type: ignore[attr-defined]
                [{**row, "outbox_id": ids[message_id]} for message_id, row in notes],
            )
        return [
            Queued(ids[e["message_id"]], e["recipient"], e["message_id"], e["subject"])
            for e in emails
        ]


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
    return holders_recipients(session, [application.organisation_id])[application.organisation_id]


def holders_recipients(session: Session, organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    """The addresses of each organisation: its active users' (one statement) and its own (from
    the session, where the callers have already read the organisations)."""
    wanted = set(organisation_ids)
    emails: dict[int, list[str | None]] = {o: [] for o in wanted}
    users = session.exec(
        select(User.organisation_id, User.email).where(
            col(User.organisation_id).in_(wanted), col(User.active)
        )
    )
    for organisation_id, email in users:
        if organisation_id is not None:
            emails[organisation_id].append(email)
    for organisation_id in wanted:
        organisation = session.get(Organisation, organisation_id)
        if organisation is not None:
            emails[organisation_id].append(organisation.email)
    return {o: _unique(e) for o, e in emails.items()}


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
    outbox: Outbox | None = None,
    recipients: list[str] | None = None,
    **context: Any,
) -> list[str]:
    """Email the holder's contacts (`recipients` when read already; written now, or by `outbox`
    when given); returns their addresses, none when the holder has no address to write to."""
    organisation = session.get(Organisation, application.organisation_id)
    base = {
        "application": application,
        "organisation": organisation,
        **context,
    }
    if recipients is None:
        recipients = holder_recipients(session, application)
    queue = outbox or Outbox(session)
    queue.add(kind, recipients, base, application_id=application.id, attachments=attachments)
    if outbox is None:
        queue.write()
    return recipients
