"""An application body checked against its scheme, filled from the profile, its shares in step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from engine.access import Actor
from engine.models import Application, Call, Funder, Organisation, Share
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.application import parse_application
from engine.services.calls import envelopes_of, get_call
from engine.services.identity import identity_errors


def validate(call: Call, raw: Any, session: Session) -> dict[str, Any]:
    """Check the application body against the scheme; return it in its stored JSON form."""
    if not isinstance(raw, dict):
        raise InvalidInput([FieldError("application", "not_an_object")])
    if "documents" in raw:
        raise InvalidInput([FieldError("application.documents", "documents_declared")])
    scheme = default_registry().schemes[call.scheme]
    parsed, facts = parse_application({**raw, "documents": []}, scheme.facts)
    funders = {f.id: f.code for f in session.exec(select(Funder))}
    taking_part = {funders[fid] for fid in envelopes_of(session, call.id or 0)}
    unknown = [code for code in parsed.requests if code not in taking_part]
    if unknown:
        raise InvalidInput(
            [FieldError(f"application.requests.{code}", "funder_not_in_call") for code in unknown]
        )
    identity = identity_errors(parsed.holder.model_dump(), "application.holder")
    if identity:
        raise InvalidInput(identity)
    stored = parsed.model_dump(mode="json", exclude={"documents"})
    stored["facts"] = facts.model_dump(mode="json")
    return stored


def prefilled(session: Session, actor: Actor, raw: Any) -> Any:
    """The body with its holder block completed from the organisation's profile: what the
    holder gives wins, the profile fills the rest."""
    from engine.services.organisations import holder_block

    organisation = session.get(Organisation, actor.organisation_id)
    if organisation is None or not isinstance(raw, dict):
        return raw
    profile = holder_block(organisation)
    holder = raw.get("holder")
    if isinstance(holder, dict):
        return {**raw, "holder": {**profile, **holder}}
    if holder is None and "siret" in profile and "kind" in profile:
        return {**raw, "holder": profile}
    return raw


def join_kept_documents(session: Session, application: Application, actor: Actor) -> None:
    from engine.services.organisations import join_profile_documents

    scheme = default_registry().schemes[get_call(session, application.call_id).scheme]
    join_profile_documents(session, application, scheme.document_labels(), actor)


def sync_shares(session: Session, application: Application) -> None:
    codes = {f.code: f.id for f in session.exec(select(Funder))}
    wanted = {codes[c] or 0: Decimal(a) for c, a in application.data["requests"].items()}
    existing = {
        s.funder_id: s
        for s in session.exec(select(Share).where(Share.application_id == application.id))
    }
    for funder_id, share in existing.items():
        if funder_id not in wanted:
            session.delete(share)
        elif share.requested != wanted[funder_id]:
            share.requested = wanted[funder_id]
    for funder_id, amount in wanted.items():
        if funder_id not in existing:
            assert application.id is not None and funder_id is not None
            session.add(Share(application_id=application.id, funder_id=funder_id, requested=amount))
