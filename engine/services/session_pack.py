"""The session pack (dossier de séance) of a session, for the chair and its committee's members."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from engine.access import Actor
from engine.clock import now, paris_date
from engine.db import Database
from engine.documents.pack import PackItem, PackLine, SessionPack, session_pack
from engine.models import Application, Funder, Organisation, Share
from engine.rulebook import default_registry
from engine.services.calls import get_call
from engine.services.meetings import agenda_of, visible_session


def _computed(application: Application) -> dict[str, Decimal | None]:
    """Each funder's amount as its rules computed it (from the stored trace)."""
    shares = (application.result or {}).get("shares") or {}
    return {
        code: Decimal(str(s["amount"])) if s.get("amount") not in (None, "") else None
        for code, s in shares.items()
    }


def session_pack_pdf(db: Database, actor: Actor, session_id: int) -> bytes:
    """The pack as a PDF; whoever sees the session (`GET /sessions/{id}`) may read it."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        funders = {f.id: f for f in session.exec(select(Funder))}
        registry = default_registry()
        items = []
        for application in agenda_of(session, meeting):
            organisation = session.get(Organisation, application.organisation_id)
            scheme = registry.schemes.get(get_call(session, application.call_id).scheme)
            computed = _computed(application)
            shares = session.exec(select(Share).where(Share.application_id == application.id))
            lines = []
            for share in shares:
                funder = funders[share.funder_id]
                lines.append(
                    PackLine(
                        funder.name, share.requested, computed.get(funder.code), share.proposed
                    )
                )
            budget = application.data.get("budget", {})
            items.append(
                PackItem(
                    reference=application.reference or str(application.id),
                    title=application.title,
                    holder_name=organisation.name if organisation else "",
                    scheme_label=scheme.label if scheme else "",
                    total_cost=Decimal(str(budget.get("total_cost", "0"))),
                    other_resources=Decimal(str(budget.get("other_resources", "0"))),
                    lines=tuple(lines),
                    project=application.data.get("project"),
                )
            )
        record = SessionPack(
            session_title=meeting.title,
            starts_at=meeting.starts_at,
            location=meeting.location,
            items=tuple(items),
            issued_on=paris_date(now()),
        )
    return session_pack(record)
