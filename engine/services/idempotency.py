"""Idempotency keys: a retried request with the same key gets the first answer, once.

A key is claimed (a committed row marked in progress) before the work starts; the work's own
transaction stores the answer in that row, so the change and its answer commit together. While
the first request runs, another with the same key is refused with 409 (retry later); once it has
answered, the same key replays that answer; the same key for another request is a 422. A request
that fails releases its key; one whose process died leaves a claim that is taken over after
`ABANDONED_AFTER` (its transaction rolled back: nothing of it was stored).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from engine.access import Actor
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict
from engine.models import IdempotencyRecord
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text

log = logging.getLogger("cofinance.idempotency")
IN_PROGRESS = 0  # status_code of a claimed key whose request has not answered yet
ABANDONED_AFTER = timedelta(seconds=60)


def _check(key: str) -> None:
    if not 1 <= len(key) <= 200:
        raise InvalidInput([FieldError("Idempotency-Key", "length_between", min=1, max=200)])
    require_text({"Idempotency-Key": key})


def _find(session: Session, actor: Actor, key: str) -> IdempotencyRecord | None:
    return session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == actor.id, IdempotencyRecord.key == key
        )
    ).first()


def _in_progress() -> Conflict:
    return Conflict("idempotency_in_progress")


def claim(db: Database, actor: Actor, key: str | None, fingerprint: str) -> dict[str, Any] | None:
    """Before the work: the answer to replay, or None once the key is ours (claim committed).

    422 if the key was used for a different request, 409 while its first request is running.
    """
    if key is None:
        return None
    _check(key)
    for _ in range(3):
        try:
            with db.transaction() as session:
                record = _find(session, actor, key)
                if record is None:
                    session.add(
                        IdempotencyRecord(
                            user_id=actor.id or 0,
                            key=key,
                            fingerprint=fingerprint,
                            status_code=IN_PROGRESS,
                            response={},
                        )
                    )
                    return None
                if record.fingerprint != fingerprint:
                    raise InvalidInput([FieldError("Idempotency-Key", "key_reused")])
                if record.status_code != IN_PROGRESS:
                    return record.response
                if now() - record.created_at < ABANDONED_AFTER:
                    raise _in_progress()
                # Its request died before answering (nothing of it was stored): take it over,
                # unless another retry took it over first.
                taken = session.execute(
                    update(IdempotencyRecord)
                    .where(
                        col(IdempotencyRecord.id) == record.id,
                        col(IdempotencyRecord.created_at) == record.created_at,
                    )
                    .values(created_at=now())
                )
                if taken.rowcount != 1:  # type: ignore[attr-defined]
                    raise _in_progress()
                return None
        except IntegrityError:
            continue  # claimed by a concurrent request between our look and our insert
    raise _in_progress()


def complete(
    session: Session, actor: Actor, key: str | None, response: dict[str, Any], status: int = 200
) -> None:
    """Store the answer in the work's transaction: the change and its answer commit together."""
    if key is None:
        return
    record = _find(session, actor, key)
    if record is None:  # released meanwhile (cannot happen while we hold the claim)
        raise _in_progress()
    record.status_code = status
    record.response = response
    session.add(record)


def release(db: Database, actor: Actor, key: str | None) -> None:
    """The work failed: free the key so that the client may retry with it."""
    if key is None:
        return
    try:
        with db.transaction() as session:
            session.execute(
                delete(IdempotencyRecord).where(
                    col(IdempotencyRecord.user_id) == actor.id,
                    col(IdempotencyRecord.key) == key,
                    col(IdempotencyRecord.status_code) == IN_PROGRESS,
                )
            )
    except Exception:  # the original error matters more; the claim expires by itself
        log.warning("could not release idempotency key %r of user %s", key, actor.id)
