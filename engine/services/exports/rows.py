"""The rows of the applications export: one per application × funder share, for the files the
list shows with the same filters; a funder gets its own shares only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select as columns
from sqlmodel import col, select

from engine.access import Actor, require_role
from engine.clock import paris_date
from engine.db import Database
from engine.models import Application, Call, Funder, Organisation, Share
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.communes import commune_name
from engine.services.exports.filters import ExportFilters
from engine.services.queries import application_filters
from workflows.application import APPLICATION
from workflows.share import SHARE

WITHDRAWN_SHARE = "Demande retirée"


@dataclass(frozen=True)
class ShareRow:
    """One funder's share of one file, in the words and types a spreadsheet shows."""

    reference: str
    title: str
    holder: str
    scheme: str
    call: str
    state: str
    funder: str
    requested: Decimal
    proposed: Decimal | None
    granted: Decimal | None
    share_state: str
    communes: str
    starts_on: date | None
    ends_on: date | None
    submitted_on: date | None
    decided_on: date | None


def share_rows(db: Database, actor: Actor, filters: ExportFilters) -> list[ShareRow]:
    """The export's rows, ordered by file then share: staff get every share of the files the
    list shows them, a funder its own shares of the files that ask it; holders none (403)."""
    require_role(actor, "chair", "admin", "funder")
    where = application_filters(
        actor, filters.call_id, filters.state, view=filters.view, search=filters.search
    )
    if actor.role == "funder":
        where.append(Share.funder_id == actor.funder_id)
    # Columns only (never the stored rule result and its trace): one row per share.
    query = (
        columns(
            col(Application.reference),
            col(Application.title),
            col(Application.state),
            col(Application.call_id),
            col(Application.submitted_at),
            col(Application.data),
            col(Organisation.name),
            col(Funder.name),
            col(Share.requested),
            col(Share.proposed),
            col(Share.granted),
            col(Share.state),
            col(Share.decided_at),
        )
        .join(Share, col(Share.application_id) == col(Application.id))
        .join(Funder, col(Funder.id) == col(Share.funder_id))
        .join(Organisation, col(Organisation.id) == col(Application.organisation_id))
        .where(*where)
        .order_by(col(Application.id), col(Share.id))
    )
    with db.reading() as session:
        if filters.call_id is not None and session.get(Call, filters.call_id) is None:
            raise InvalidInput([FieldError("call_id", "unknown_call", id=filters.call_id)])
        calls = {
            call.id: (call.title, _scheme_label(call.scheme)) for call in session.exec(select(Call))
        }
        return [_row(tuple(found), calls) for found in session.execute(query)]


def _scheme_label(code: str) -> str:
    scheme = default_registry().schemes.get(code)
    return scheme.label if scheme else code


def _row(found: tuple[Any, ...], calls: dict[int | None, tuple[str, str]]) -> ShareRow:
    (reference, title, state, call_id, submitted_at, data, holder, funder) = found[:8]
    (requested, proposed, granted, share_state, decided_at) = found[8:]
    withdrawn = state == "withdrawn"
    data = data if isinstance(data, dict) else {}
    period = data.get("period") if isinstance(data.get("period"), dict) else {}
    call, scheme = calls[call_id]
    return ShareRow(
        reference=reference or "",
        title=title,
        holder=holder,
        scheme=scheme,
        call=call,
        state=APPLICATION.state(state).label,
        funder=funder,
        requested=requested,
        proposed=None if withdrawn else proposed,
        granted=granted,
        share_state=WITHDRAWN_SHARE if withdrawn else SHARE.state(share_state).label,
        communes=_communes(data.get("territory")),
        starts_on=_date(period.get("start") if period else None),
        ends_on=_date(period.get("end") if period else None),
        submitted_on=paris_date(submitted_at) if submitted_at else None,
        decided_on=paris_date(decided_at) if decided_at else None,
    )


def _communes(codes: Any) -> str:
    if not isinstance(codes, list):
        return ""
    return ", ".join(commune_name(str(code)) or str(code) for code in codes)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
