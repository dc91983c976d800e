"""Funders of the département: configured by the administrator, each with its rule kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from engine.access import Actor, require_role
from engine.audit import record
from engine.db import Database
from engine.errors import Conflict, NotFound
from engine.models import Funder
from engine.rulebook import FieldError, FunderConfig, InvalidInput, default_registry
from engine.rulebook.communes import commune_name
from engine.rulebook.text import require_text
from engine.services.identity import compact, siret_valid


def create_funder(
    db: Database,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    insee: str | None = None,
    email: str | None = None,
    advance_rate: Decimal | None = None,
    siret: str | None = None,
) -> Funder:
    require_role(actor, "admin", "system")
    require_text(
        {"code": code, "name": name, "kind": kind, "insee": insee, "email": email, "siret": siret}
    )
    siret = compact(siret) if siret else None
    if siret is not None and not siret_valid(siret):
        raise InvalidInput([FieldError("siret", "funder_siret")])
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
            code=code,
            name=name,
            kind=kind,
            insee=insee,
            email=email,
            advance_rate=advance_rate,
            siret=siret,
        )
        session.add(funder)
        session.flush()
        assert funder.id is not None
        record(session, "funder", funder.id, "create", actor, data={"code": code, "kind": kind})
        return funder


def list_funders(db: Database, *, active_only: bool = False) -> list[Funder]:
    """Every funder by code; `active_only`: those that may still join a new call."""
    query = select(Funder).order_by(Funder.code)
    if active_only:
        query = query.where(col(Funder.active))
    with db.reading() as session:
        return list(session.exec(query))


def get_funder(db: Database, code: str) -> Funder:
    with db.reading() as session:
        funder = session.exec(select(Funder).where(Funder.code == code)).first()
    if funder is None:
        raise NotFound("not_found.funder", code=code)
    return funder


_UNSET: Any = object()


def update_funder(
    db: Database,
    actor: Actor,
    code: str,
    *,
    name: str | None = None,
    kind: str | None = None,
    email: str | None = _UNSET,
    advance_rate: Decimal | None = _UNSET,
    insee: str | None = _UNSET,
    siret: str | None = _UNSET,
) -> Funder:
    """Change a funder's name, email, kind (its rules), advance rate or SIRET; only what is given
    changes. Its code stays: shares, users and envelopes point to it."""
    require_role(actor, "admin")
    require_text(
        {
            "name": name,
            "kind": kind,
            "email": None if email is _UNSET else email,
            "insee": None if insee is _UNSET else insee,
            "siret": None if siret is _UNSET else siret,
        }
    )
    new_siret = None if siret is _UNSET or not siret else compact(siret)
    with db.transaction() as session:
        funder = session.exec(select(Funder).where(Funder.code == code)).first()
        if funder is None:
            raise NotFound("not_found.funder", code=code)
        registry = default_registry()
        errors: list[FieldError] = []
        new_kind = kind if kind is not None else funder.kind
        new_insee = funder.insee if insee is _UNSET else (insee or None)
        if new_kind not in registry.funders:
            errors.append(FieldError("kind", "unknown_funder_kind", kind=new_kind))
        elif registry.funders[new_kind].needs_insee and not new_insee:
            errors.append(FieldError("insee", "insee_required", kind=new_kind))
        if new_insee is not None and commune_name(new_insee) is None:
            errors.append(FieldError("insee", "unknown_insee", insee=new_insee))
        if name is not None and not 1 <= len(name.strip()) <= 300:
            errors.append(FieldError("name", "length_between", min=1, max=300))
        rate = None if advance_rate is _UNSET else advance_rate
        if rate is not None and not Decimal(0) <= rate <= Decimal(1):
            errors.append(FieldError("advance_rate", "ratio"))
        if new_siret is not None and not siret_valid(new_siret):
            # Its key checked too: the open data publishes it as the funder's identity.
            errors.append(FieldError("siret", "funder_siret"))
        if errors:
            raise InvalidInput(errors)
        before = _fields(funder)
        if name is not None:
            funder.name = name.strip()
        funder.kind = new_kind
        funder.insee = new_insee
        if email is not _UNSET:
            funder.email = email or None
        if advance_rate is not _UNSET:
            funder.advance_rate = advance_rate
        if siret is not _UNSET:
            funder.siret = new_siret
        after = _fields(funder)
        changed = sorted(k for k in after if after[k] != before[k])
        session.add(funder)
        session.flush()
        assert funder.id is not None
        if changed:
            record(session, "funder", funder.id, "update", actor, data={"changed": changed})
        return funder


def _fields(funder: Funder) -> dict[str, Any]:
    return {
        "name": funder.name,
        "kind": funder.kind,
        "insee": funder.insee,
        "email": funder.email,
        "advance_rate": None if funder.advance_rate is None else str(funder.advance_rate),
        "siret": funder.siret,
    }


def set_funder_active(db: Database, actor: Actor, code: str, active: bool) -> Funder:
    """Deactivate (or reactivate) a funder: a deactivated one is no longer offered to new
    calls; the calls and shares it already has keep working."""
    require_role(actor, "admin")
    with db.transaction() as session:
        funder = session.exec(select(Funder).where(Funder.code == code)).first()
        if funder is None:
            raise NotFound("not_found.funder", code=code)
        if funder.active and active:
            raise Conflict("wrong_state.funder_active")
        if not funder.active and not active:
            raise Conflict("wrong_state.funder_inactive")
        funder.active = active
        session.add(funder)
        session.flush()
        assert funder.id is not None
        record(
            session,
            "funder",
            funder.id,
            "reactivate" if active else "deactivate",
            actor,
            from_state="inactive" if active else "active",
            to_state="active" if active else "inactive",
        )
        return funder


def config_of(funder: Funder) -> FunderConfig:
    return FunderConfig(
        code=funder.code,
        kind=funder.kind,
        name=funder.name,
        insee=funder.insee,
        advance_rate=funder.advance_rate,
    )
