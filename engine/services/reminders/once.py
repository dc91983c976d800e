"""Each reminder once ever: its key in `sent_reminders` (unique), written with its outbox rows."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from engine.db import Database
from engine.models import SentReminder


class Skip(Exception):
    """Nothing to send after all (the row changed since the sweep read it)."""


def send_once(
    db: Database,
    key: str,
    kind: str,
    write: Callable[[Session], None],
    *,
    application_id: int | None = None,
    session_id: int | None = None,
) -> bool:
    """Record the reminder's key and write its outbox rows in one transaction, once ever."""
    try:
        with db.transaction() as session:
            exists = session.exec(select(SentReminder.id).where(SentReminder.key == key)).first()
            if exists is not None:
                return False
            session.add(
                SentReminder(
                    key=key, kind=kind, application_id=application_id, session_id=session_id
                )
            )
            session.flush()  # a concurrent sweep holding the same key stops here
            write(session)
            return True
    except IntegrityError:
        return False
    except Skip:
        return False
