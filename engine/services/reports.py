"""Figures for the dashboard charts: amounts per scheme, per commune, and envelope use per call."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import select

from engine.access import Actor, require_role
from engine.db import Database
from engine.models import Application, Call, Share
from engine.rulebook.communes import commune_name
from engine.services.funders import list_funders
from engine.services.plans import EnvelopeUse, envelope_use
from engine.territory.reference import commune
from engine.territory.split import current_codes, split
from workflows.application import APPLICATION

ZERO = Decimal("0.00")
SUBMITTED = APPLICATION.tagged("submitted")


@dataclass
class Amounts:
    key: str
    label: str
    requested: Decimal = ZERO
    granted: Decimal = ZERO
    files: int = 0


def _share_amounts(shares: list[Share]) -> tuple[Decimal, Decimal]:
    requested = sum((s.requested for s in shares), ZERO)
    granted = sum((s.granted or ZERO for s in shares if s.state == "granted"), ZERO)
    return requested, granted


def amounts_by_scheme_and_commune(
    db: Database, actor: Actor, labels: dict[str, str], call_id: int | None = None
) -> dict[str, list[Amounts]]:
    """Requested and granted amounts of the submitted files (of one call when `call_id` is
    given), per scheme and per commune.

    A file that runs in several communes counts in each, its amounts split between them as the
    statistics split them (engine/territory/split.py), on the current communes.
    """
    require_role(actor, "chair", "admin")
    by_scheme: dict[str, Amounts] = {}
    by_commune: dict[str, Amounts] = {}
    with db.reading() as session:
        schemes = {c.id: c.scheme for c in session.exec(select(Call))}
        query = select(Application).where(Application.state.in_(SUBMITTED))  # type: ignore[attr-defined]
        if call_id is not None:
            query = query.where(Application.call_id == call_id)
        applications = session.exec(query)
        shares: dict[int, list[Share]] = defaultdict(list)
        for share in session.exec(select(Share)):
            shares[share.application_id].append(share)
        for application in applications:
            requested, granted = _share_amounts(shares[application.id or 0])
            scheme = schemes[application.call_id]
            line = by_scheme.setdefault(scheme, Amounts(scheme, labels.get(scheme, scheme)))
            line.requested += requested
            line.granted += granted
            line.files += 1
            codes = current_codes(application.data.get("territory") or [])
            parts = zip(codes, split(requested, codes), split(granted, codes), strict=True)
            for code, requested_part, granted_part in parts:
                place = by_commune.get(code) or by_commune.setdefault(code, _place(code))
                place.requested += requested_part
                place.granted += granted_part
                place.files += 1
    return {
        "schemes": sorted(by_scheme.values(), key=lambda a: a.requested, reverse=True),
        "communes": sorted(by_commune.values(), key=lambda a: a.requested, reverse=True),
    }


def _place(code: str) -> Amounts:
    ref = commune(code)
    return Amounts(code, ref.name if ref is not None else commune_name(code) or code)


def envelopes_of_call(db: Database, actor: Actor, call_id: int) -> list[EnvelopeUse]:
    """Each funder's envelope in a call: granted, proposed and what is left."""
    require_role(actor, "chair", "admin", "funder")
    with db.reading() as session:
        use = envelope_use(session, call_id)
    if actor.role == "funder":
        codes = {f.id: f.code for f in list_funders(db)}
        use = [u for u in use if u.funder == codes.get(actor.funder_id or 0)]
    return use
