"""What a convention says, read from the database as data (engine/documents/convention.py
renders it): the parties, the action, the amount and its schedule, the report's due date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session

from engine.clock import now, paris_date
from engine.documents.convention import ConventionText
from engine.models import Application, Funder, Organisation, Share
from engine.rulebook import default_registry
from engine.rulebook.plan import payment_schedule
from engine.services import payments
from engine.services.report_figures import due_date
from engine.settings import get_settings


def convention_text(
    session: Session,
    application: Application,
    share: Share,
    funder: Funder,
    cumulated: Decimal,
    threshold: Decimal,
) -> ConventionText:
    organisation = session.get(Organisation, application.organisation_id)
    assert organisation is not None and share.granted is not None
    period = application.data["period"]
    budget = application.data.get("budget") or {}
    rate = payments.advance_rate(session, share)
    schedule = payment_schedule(share.granted, rate)
    scheme = default_registry().schemes.get((application.result or {}).get("scheme", ""))
    return ConventionText(
        reference=application.reference or str(application.id),
        issued_on=paris_date(now()),
        department_name=f"Département : {get_settings().department_name}",
        funder_name=funder.name,
        funder_siret=funder.siret,
        holder_name=organisation.name,
        holder_siret=organisation.siret,
        holder_rna=organisation.rna,
        holder_address=organisation.address,
        application_title=application.title,
        scheme_label=scheme.label if scheme else "",
        starts_on=date.fromisoformat(str(period["start"])),
        ends_on=date.fromisoformat(str(period["end"])),
        total_cost=Decimal(str(budget.get("total_cost", "0"))),
        amount=share.granted,
        conditions=share.conditions,
        year=date.fromisoformat(str(period["start"])).year,
        cumulated=cumulated,
        threshold=threshold,
        advance_rate=rate,
        advance=Decimal(schedule["advance"]),
        balance=Decimal(schedule["balance"]),
        report_due_on=due_date(application),
    )
