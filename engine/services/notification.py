"""The holder has been notified of the decision: the application moves `decided → notified`.

A domain step of its own, called by whoever establishes the fact, in that fact's transaction:
the delivery bookkeeping when a decision email to the holder is delivered
(engine/notify/deliver.py), or the production of the decision letter when the holder has no
email address, the letter being then made available on the holder's pages
(engine/services/production/). The mail transport only reports deliveries; it never moves an
application itself.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from engine.access import SYSTEM
from engine.audit import transition
from engine.models import Application, OutboxMessage
from engine.services.agreements import open_agreements
from engine.services.final_reports import open_report


def mark_notified(session: Session, application: Application, **how: Any) -> bool:
    """Move a decided application to notified (once: any later call changes nothing); `how`
    says by what (kept in the event). Returns whether it moved."""
    if application.state != "decided":
        return False
    transition(
        session,
        "application",
        application,
        "notify",
        SYSTEM,
        application_id=application.id,
        data=how,
    )
    after_notification(session, application)
    return True


def after_notification(session: Session, application: Application) -> None:
    """What a notified decision opens, in the same transaction (DESIGN §10): an agreement per
    granted share (and the payments of those in force), then the final report to file — a
    file refused by every funder has nothing to account for."""
    if open_agreements(session, application, SYSTEM):
        open_report(session, application)


def decision_email_delivered(session: Session, row: OutboxMessage) -> None:
    """Delivery bookkeeping: a decision email to the holder was delivered."""
    if row.kind != "decision" or row.application_id is None:
        return
    application = session.get(Application, row.application_id)
    if application is not None:
        mark_notified(session, application, outbox=row.id, message_id=row.message_id)
