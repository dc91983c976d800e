"""Calls for projects: created by the chair or admin, opened, closed at their deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from engine.access import Actor, require_role
from engine.audit import authorise, record, transition
from engine.clock import as_utc, now
from engine.db import Database
from engine.errors import Conflict, NotFound
from engine.models import Call, CallEnvelope, Funder
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.text import require_text


@dataclass(frozen=True)
class EnvelopeIn:
    funder: str
    envelope: Decimal


def create_call(
    db: Database,
    actor: Actor,
    scheme: str,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    envelopes: list[EnvelopeIn],
) -> Call:
    require_role(actor, "admin", "chair")
    require_text(
        {
            "scheme": scheme,
            "title": title,
            **{f"funders.{i}.funder": e.funder for i, e in enumerate(envelopes)},
        }
    )
    errors = []
    if scheme not in default_registry().schemes:
        errors.append(FieldError("scheme", "unknown_scheme", scheme=scheme))
    opens_at, closes_at = as_utc(opens_at), as_utc(closes_at)
    if closes_at <= opens_at:
        errors.append(FieldError("closes_at", "closes_before_opens"))
    codes = [e.funder for e in envelopes]
    if len(set(codes)) != len(codes):
        errors.append(FieldError("funders", "funder_listed_twice"))
    with db.transaction() as session:
        funders = {f.code: f for f in session.exec(select(Funder).where(Funder.code.in_(codes)))}  # type: ignore[attr-defined]
        for index, code in enumerate(codes):
            if code not in funders:
                errors.append(FieldError(f"funders.{index}.funder", "unknown_funder", code=code))

        if errors:
            raise InvalidInput(errors)
        call = Call(scheme=scheme, title=title, opens_at=opens_at, closes_at=closes_at)
        session.add(call)
        session.flush()
        assert call.id is not None
        for item in envelopes:
            session.add(
                CallEnvelope(
                    call_id=call.id,
                    funder_id=funders[item.funder].id or 0,
                    envelope=item.envelope,
                )
            )
        record(session, "call", call.id, "create", actor, to_state=call.state)
        return call


def get_call(session: Session, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("not_found.call", id=call_id)
    return call


def _move(db: Database, actor: Actor, call_id: int, trigger: str) -> Call:
    with db.transaction() as session:
        call = get_call(session, call_id)  # as `GET /calls/{id}`: any signed-in user, or 404
        authorise("call", trigger, actor)  # before the state: 403, never 409, to other roles
        transition(session, "call", call, trigger, actor)
        return call


def open_call(db: Database, actor: Actor, call_id: int) -> Call:
    return _move(db, actor, call_id, "open")


def close_call(db: Database, actor: Actor, call_id: int) -> Call:
    return _move(db, actor, call_id, "close")


def close_due_calls(db: Database, actor: Actor) -> list[int]:
    """Close every open call whose deadline has passed (idempotent: a closed call stays closed)."""
    closed = []
    with db.reading() as session:
        due = list(
            session.exec(select(Call.id).where(Call.state == "open", Call.closes_at <= now()))
        )
    for call_id in due:
        assert call_id is not None
        try:
            close_call(db, actor, call_id)
        except (Conflict, StaleDataError):
            continue  # closed meanwhile (by the chair, or a racing sweep): one close event only
        closed.append(call_id)
    return closed


def list_calls_in(session: Session) -> list[Call]:
    return list(session.exec(select(Call).order_by(col(Call.closes_at).desc())))


def envelopes_of(session: Session, call_id: int) -> dict[int, Decimal]:
    rows = session.exec(select(CallEnvelope).where(CallEnvelope.call_id == call_id))
    return {row.funder_id: row.envelope for row in rows}
