"""Calls for projects: created by the chair or admin, opened, closed at their deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
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
from engine.services.common import check_version


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
            elif not funders[code].active:
                errors.append(FieldError(f"funders.{index}.funder", "funder_inactive", code=code))

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


_UNSET: Any = object()


def update_call(
    db: Database,
    actor: Actor,
    call_id: int,
    *,
    title: str | None = None,
    scheme: str | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    envelopes: list[EnvelopeIn] | None = None,
    version: int | None = None,
) -> Call:
    """Edit a call (only what is given changes; `envelopes` is the whole new list).

    A draft may change in everything. An open call keeps its scheme, its opening date and its
    funders (files are filed against them), but its title, deadline and envelopes may change and
    a funder may join it (409 otherwise). A closed call is final. A deactivated funder joins no
    call (422)."""
    with db.transaction() as session:
        call = get_call(session, call_id)  # as `GET /calls/{id}`: any signed-in user, or 404
        require_role(actor, "admin", "chair")  # before the input and the state: 403, not 422/409
        require_text(
            {
                "title": title,
                "scheme": scheme,
                **{f"funders.{i}.funder": e.funder for i, e in enumerate(envelopes or [])},
            }
        )
        check_version(call, version)
        if call.state == "closed":
            raise Conflict("wrong_state.call_closed")
        current = {
            row.funder_id: row
            for row in session.exec(select(CallEnvelope).where(CallEnvelope.call_id == call_id))
        }
        errors: list[FieldError] = []
        is_open = call.state == "open"
        if scheme is not None and scheme != call.scheme:
            if is_open:
                raise Conflict("wrong_state.call_scheme")
            if scheme not in default_registry().schemes:
                errors.append(FieldError("scheme", "unknown_scheme", scheme=scheme))
        new_opens = as_utc(opens_at) if opens_at is not None else call.opens_at
        new_closes = as_utc(closes_at) if closes_at is not None else call.closes_at
        if is_open and as_utc(new_opens) != as_utc(call.opens_at):
            raise Conflict("wrong_state.call_opens_at")
        if as_utc(new_closes) <= as_utc(new_opens):
            errors.append(FieldError("closes_at", "closes_before_opens"))
        elif is_open and closes_at is not None and as_utc(new_closes) <= now():
            errors.append(FieldError("closes_at", "closes_in_the_past"))
        if title is not None and not 1 <= len(title.strip()) <= 300:
            errors.append(FieldError("title", "length_between", min=1, max=300))
        wanted: dict[int, Decimal] = {}
        if envelopes is not None:
            codes = [e.funder for e in envelopes]
            if not codes:
                errors.append(FieldError("funders", "required"))
            if len(set(codes)) != len(codes):
                errors.append(FieldError("funders", "funder_listed_twice"))
            funders = {
                f.code: f for f in session.exec(select(Funder).where(col(Funder.code).in_(codes)))
            }
            for index, item in enumerate(envelopes):
                funder = funders.get(item.funder)
                if funder is None:
                    errors.append(
                        FieldError(f"funders.{index}.funder", "unknown_funder", code=item.funder)
                    )
                    continue
                assert funder.id is not None
                if funder.id not in current and not funder.active:
                    errors.append(
                        FieldError(f"funders.{index}.funder", "funder_inactive", code=funder.code)
                    )
                wanted[funder.id] = item.envelope
            if is_open and not errors:
                for funder_id in current:
                    if funder_id not in wanted:
                        gone = session.get(Funder, funder_id)
                        raise Conflict(
                            "wrong_state.call_funder_removed",
                            funder=gone.name if gone else funder_id,
                        )
        if errors:
            raise InvalidInput(errors)

        changed: list[str] = []
        if title is not None and title.strip() != call.title:
            call.title = title.strip()
            changed.append("title")
        if scheme is not None and scheme != call.scheme:
            call.scheme = scheme
            changed.append("scheme")
        if as_utc(new_opens) != as_utc(call.opens_at):
            call.opens_at = new_opens
            changed.append("opens_at")
        if as_utc(new_closes) != as_utc(call.closes_at):
            call.closes_at = new_closes
            changed.append("closes_at")
        added, removed, resized = [], [], []
        if envelopes is not None:
            for funder_id, row in current.items():
                if funder_id not in wanted:
                    session.delete(row)
                    removed.append(funder_id)
                elif row.envelope != wanted[funder_id]:
                    row.envelope = wanted[funder_id]
                    session.add(row)
                    resized.append(funder_id)
            for funder_id, amount in wanted.items():
                if funder_id not in current:
                    session.add(CallEnvelope(call_id=call_id, funder_id=funder_id, envelope=amount))
                    added.append(funder_id)
        if added or removed or resized:
            changed.append("funders")
        if not changed:
            return call
        flag_modified(call, "title")  # the version moves on with every edit, envelopes included
        session.add(call)
        session.flush()
        record(
            session,
            "call",
            call_id,
            "update",
            actor,
            data={
                "changed": changed,
                "funders_added": added,
                "funders_removed": removed,
                "envelopes_changed": resized,
            },
        )
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
