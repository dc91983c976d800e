"""Funders of the département: configured by the administrator, each with its rule kind."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from engine.access import Actor, require_role
from engine.audit import record
from engine.db import Database
from engine.errors import Conflict
from engine.models import Funder
from engine.rulebook import FieldError, FunderConfig, InvalidInput, default_registry
from engine.rulebook.communes import commune_name
from engine.rulebook.text import require_text


def create_funder(
    db: Database,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    insee: str | None = None,
    email: str | None = None,
    advance_rate: Decimal | None = None,
) -> Funder:
    require_role(actor, "admin", "system")
    require_text({"code": code, "name": name, "kind": kind, "insee": insee, "email": email})
    registry = default_registry()
    if kind not in registry.funders:
        raise InvalidInput([FieldError("kind", "unknown_funder_kind", kind=kind)])
    if registry.funders[kind].needs_insee and not insee:
        raise InvalidInput([FieldError("insee", "insee_required", kind=kind)])
    if insee is not None and commune_name(insee) is None:
        raise InvalidInput([FieldError("insee", "unknown_insee", insee=insee)])

    with db.transaction() as session:
        if session.exec(select(Funder).where(Funder.code == code)).first():
            raise Conflict("duplicate.funder", code=code)
        funder = Funder(
            code=code, name=name, kind=kind, insee=insee, email=email, advance_rate=advance_rate
        )
        session.add(funder)
        session.flush()
        assert funder.id is not None
        record(session, "funder", funder.id, "create", actor, data={"code": code, "kind": kind})
        return funder


def list_funders(db: Database) -> list[Funder]:
    with db.reading() as session:
        return list(session.exec(select(Funder).order_by(Funder.code)))


def config_of(funder: Funder) -> FunderConfig:
    return FunderConfig(
        code=funder.code,
        kind=funder.kind,
        name=funder.name,
        insee=funder.insee,
        advance_rate=funder.advance_rate,
    )
