"""The settlement's letters: the consolidated one to the holder and one per funder, rendered in
the settling transaction (a handful of short PDFs), stored as Letter rows with their blobs and
sent through the outbox like the decision letters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session

from engine.access import Actor
from engine.clock import now, paris_date
from engine.documents.settlement_letter import (
    SettlementLetter,
    SettlementLetterLine,
    settlement_letter,
)
from engine.models import Application, Funder, Organisation, Settlement
from engine.notify.outbox import enqueue_all, funder_recipients, notify_holder
from engine.services.letter_content import signatory
from engine.services.letter_storage import Stored, store_many
from engine.settings import get_settings


def _lines(
    settlement: Settlement, by_code: dict[str, Funder]
) -> list[tuple[Funder, SettlementLetterLine]]:
    result = []
    for raw in settlement.lines:
        funder = by_code[raw["funder"]]
        result.append(
            (
                funder,
                SettlementLetterLine(
                    funder_name=funder.name,
                    granted=Decimal(raw["granted"]),
                    reduction=Decimal(raw["reduction"]),
                    extra=Decimal(raw["extra"]),
                    extra_reason=raw.get("extra_reason"),
                    final=Decimal(raw["final"]),
                    paid=Decimal(raw["paid"]),
                    balance=Decimal(raw["balance"]),
                    recovery=Decimal(raw["recovery"]),
                ),
            )
        )
    return result


def record_letters(
    session: Session,
    application: Application,
    settlement: Settlement,
    funders: dict[int | None, Funder],
    actor: Actor,
) -> list[Stored]:
    """Render and store the letters, and queue the emails that attach them."""
    organisation = session.get(Organisation, application.organisation_id)
    assert organisation is not None
    by_code = {f.code: f for f in funders.values()}
    lines = _lines(settlement, by_code)
    signer, title = signatory(session, actor)
    reference = application.reference or str(application.id)
    common: dict[str, Any] = {
        "reference": reference,
        "issued_on": paris_date(now()),
        "department_name": f"Département : {get_settings().department_name}",
        "holder_name": organisation.name,
        "holder_address": organisation.address,
        "application_title": application.title,
        "total_cost": settlement.total_cost,
        "other_resources": settlement.other_resources,
        "total_granted": settlement.total_granted,
        "excess": settlement.excess,
        "chair_name": signer,
        "chair_title": title,
    }
    # The first sentence repeats the figures the letter lists already.
    explanation = tuple(settlement.trace.get("explanation", []))[1:]
    documents: list[tuple[bytes, dict[str, object]]] = [
        (
            settlement_letter(
                SettlementLetter(
                    **common, lines=tuple(line for _, line in lines), explanation=explanation
                )
            ),
            {
                "kind": "settlement",
                "application_id": application.id,
                "title": f"Solde {reference}",
            },
        )
    ]
    for funder, line in lines:
        own = tuple(s for s in explanation[1:] if s.startswith(f"{funder.name} :"))
        pdf = settlement_letter(
            SettlementLetter(
                **common, lines=(line,), explanation=explanation[:1] + own, funder_name=funder.name
            )
        )
        documents.append(
            (
                pdf,
                {
                    "kind": "settlement_funder",
                    "application_id": application.id,
                    "funder_id": funder.id,
                    "title": f"Solde {reference} — {funder.name}",
                },
            )
        )
    holder_letter, *funder_letters = store_many(session, documents)
    notify_holder(
        session,
        application,
        "settlement",
        attachments=[holder_letter.id or 0],
        lines=[line for _, line in lines],
    )
    for (funder, line), letter in zip(lines, funder_letters, strict=True):
        enqueue_all(
            session,
            "funder_settlement",
            funder_recipients(session, funder),
            {"application": application, "funder": funder, "line": line},
            application_id=application.id,
            attachments=[letter.id or 0],
        )
    return [holder_letter, *funder_letters]
