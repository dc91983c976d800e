"""The emails of the life after the decision (DESIGN §10): whoever must act next is told.

A convention drawn up: the holder signs it. Signed: the funder's members countersign it. A final
report submitted: each funder that reviews it. Handed back: the holder, with the reason. Money
paid, or a recovery claimed: the holder. Each is queued in the transaction of the step that
causes it, like every email (engine/notify/outbox.py).
"""

from __future__ import annotations

from sqlmodel import Session

from engine.models import (
    Agreement,
    Application,
    FinalReport,
    Funder,
    Organisation,
    Payment,
    Share,
)
from engine.notify.outbox import enqueue_all, funder_recipients, notify_holder


def convention_to_sign(
    session: Session, application: Application, funder: Funder, agreement: Agreement
) -> None:
    notify_holder(session, application, "convention_to_sign", funder=funder, agreement=agreement)


def convention_signed(session: Session, application: Application, agreement: Agreement) -> None:
    funder = session.get(Funder, agreement.funder_id)
    assert funder is not None
    context = {
        "application": application,
        "organisation": session.get(Organisation, application.organisation_id),
        "funder": funder,
        "agreement": agreement,
    }
    enqueue_all(
        session,
        "convention_signed",
        funder_recipients(session, funder),
        context,
        application_id=application.id,
    )


def report_submitted(
    session: Session, application: Application, report: FinalReport, reviewers: dict[int, Share]
) -> None:
    """Each funder with a granted share (`reviewers`) reviews the report: its members and its
    address."""
    organisation = session.get(Organisation, application.organisation_id)
    for funder_id, share in sorted(reviewers.items()):
        funder = session.get(Funder, funder_id)
        assert funder is not None
        context = {
            "application": application,
            "organisation": organisation,
            "funder": funder,
            "share": share,
            "report": report,
        }
        enqueue_all(
            session,
            "report_submitted",
            funder_recipients(session, funder),
            context,
            application_id=application.id,
        )


def report_revision(
    session: Session, application: Application, funder: Funder, reason: str
) -> None:
    notify_holder(session, application, "report_revision", funder=funder, reason=reason)


def payment_made(session: Session, payment: Payment) -> None:
    """An advance or a balance paid, or a recovery claimed (ordered): the holder is told."""
    application = session.get(Application, payment.application_id)
    funder = session.get(Funder, payment.funder_id)
    assert application is not None and funder is not None
    notify_holder(session, application, "payment", funder=funder, payment=payment)
