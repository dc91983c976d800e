"""The settlement (solde) of a notified application, and the close of its file (DESIGN §10).

`settle` runs in the transaction of the last funder's approval of the final report (engine/
services/final_reports.py): it computes the settlement (engine/rulebook/settlement.py), stores
it with its trace, moves the application `notified → settled`, fixes each share's balance or
recovery (engine/services/payments.py) and records the letters and their emails. `close_if_done`
runs after each payment is paid: the file is closed once nothing is left to pay or recover.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from sqlmodel import Session, col, select

from engine.access import SYSTEM, Actor
from engine.audit import transition
from engine.clock import now, paris_date
from engine.db import Database
from engine.models import Application, Funder, Settlement, Share
from engine.rulebook import default_registry
from engine.rulebook.settlement import SettlementInput, SettlementResult, Tolerance
from engine.rulebook.settlement import settle as compute
from engine.services.application_access import load
from engine.services.settlement_letters import record_letters

ZERO = Decimal("0.00")
TOLERANCE = "settlement.tolerance"
# Payments that leave nothing to do (engine/services/payments.py, workflow `payment`).
DONE = frozenset({"paid", "cancelled"})


class ReportFigures(Protocol):
    """What the settlement reads of an approved final report (engine.models.FinalReport)."""

    @property
    def id(self) -> int | None: ...

    @property
    def actual_total_cost(self) -> Decimal | None: ...

    @property
    def actual_other_resources(self) -> Decimal | None: ...


def granted_shares(session: Session, application_id: int | None) -> list[Share]:
    """The shares the settlement spreads over: granted, for a positive amount, by id."""
    query = (
        select(Share)
        .where(Share.application_id == application_id, Share.state == "granted")
        .order_by(col(Share.id))
    )
    return [s for s in session.exec(query) if s.granted is not None and s.granted > 0]


def settlement_of(session: Session, application_id: int) -> Settlement | None:
    return session.exec(
        select(Settlement).where(Settlement.application_id == application_id)
    ).first()


def compute_settlement(
    session: Session,
    application: Application,
    report: ReportFigures,
    reductions: dict[str, tuple[Decimal, str]],
) -> SettlementResult:
    """The settlement the report calls for, nothing written."""
    from engine.services.payments import paid_total  # payments calls back into this module

    funders = {f.id: f for f in session.exec(select(Funder))}
    shares = granted_shares(session, application.id)
    code = {s.id: funders[s.funder_id].code for s in shares}
    day = paris_date(now())
    dated = default_registry().parameters[TOLERANCE].at(day)
    assert isinstance(dated.value, Decimal)
    return compute(
        SettlementInput(
            granted={code[s.id]: s.granted or ZERO for s in shares},
            paid={code[s.id]: paid_total(session, s.id or 0) for s in shares},
            other_resources=report.actual_other_resources or ZERO,
            total_cost=report.actual_total_cost or ZERO,
            tolerance=Tolerance(dated.value, dated.since, TOLERANCE),
            extra=reductions,
            names={f.code: f.name for f in funders.values()},
        )
    )


def settle(
    session: Session,
    application: Application,
    report: ReportFigures,
    reductions: dict[str, tuple[Decimal, str]],
    actor: Actor,
) -> Settlement:
    """Compute, store and apply the settlement, in the caller's transaction (once: a second
    call returns the stored settlement)."""
    from engine.services.payments import apply_settlement

    stored = settlement_of(session, application.id or 0)
    if stored is not None:
        return stored
    result = compute_settlement(session, application, report, reductions)
    row = Settlement(
        application_id=application.id or 0,
        report_id=report.id,
        total_granted=result.total_granted,
        other_resources=Decimal(result.trace["figures"]["other_resources"]),
        total_cost=Decimal(result.trace["figures"]["total_cost"]),
        excess=result.excess,
        lines=[line.as_json() for line in result.lines],
        trace=result.trace,
        actor_id=actor.id,
    )
    session.add(row)
    session.flush()
    # The system settles, in the transaction of the approval that completed the report.
    transition(
        session,
        "application",
        application,
        "settle",
        SYSTEM,
        application_id=application.id,
        data={"settlement": row.id, "excess": str(result.excess), "by": actor.id},
    )
    funders = {f.id: f for f in session.exec(select(Funder))}
    for share in granted_shares(session, application.id):
        line = result.line(funders[share.funder_id].code)
        apply_settlement(session, share, line.due, actor)
    record_letters(session, application, row, funders, actor)
    close_if_done(session, application, actor)
    return row


def close_if_done(session: Session, application: Application, actor: Actor) -> bool:
    """Close a settled file once every payment and recovery is paid or cancelled; returns
    whether it closed it."""
    from engine.services.payments import payments_of

    if application.state != "settled":
        return False
    if any(p.state not in DONE for p in payments_of(session, application.id or 0)):
        return False
    transition(
        session,
        "application",
        application,
        "close",
        SYSTEM,
        application_id=application.id,
        data={"by": actor.id},
    )
    return True


def read_settlement(db: Database, actor: Actor, application_id: int) -> Settlement | None:
    """The stored settlement, for whoever may see the file (holder, funders asked, staff)."""
    with db.reading() as session:
        load(session, application_id, actor)
        return settlement_of(session, application_id)
