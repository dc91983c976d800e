"""Idempotency keys: a retried request with the same key gets the first answer, once."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from engine.access import Actor
from engine.models import IdempotencyRecord
from engine.rulebook import FieldError, InvalidInput


def replay(
    session: Session, actor: Actor, key: str | None, fingerprint: str
) -> dict[str, Any] | None:
    """The stored answer for this key, or None if the key is new (or absent)."""
    if key is None:
        return None
    if not 1 <= len(key) <= 200:
        raise InvalidInput([FieldError("Idempotency-Key", "1 to 200 characters")])
    record = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == actor.id, IdempotencyRecord.key == key
        )
    ).first()
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise InvalidInput([FieldError("Idempotency-Key", "already used for a different request")])
    return record.response


def remember(
    session: Session, actor: Actor, key: str | None, fingerprint: str, response: dict[str, Any]
) -> None:
    """Store the answer in the same transaction as the change it answers for."""
    if key is None:
        return
    session.add(
        IdempotencyRecord(
            user_id=actor.id or 0,
            key=key,
            fingerprint=fingerprint,
            status_code=200,
            response=response,
        )
    )
