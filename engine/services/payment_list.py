"""Who sees which payments, as rows ready to list: a funder's members their funder's, a holder
its own files', the chair and the administrator every one; and the chair's follow-up board
(reports due or overdue, payments to make, recoveries to claim)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from engine.access import Actor, require_role
from engine.clock import now, paris_date
from engine.db import Database
from engine.errors import Forbidden, NotFound
from engine.models import Application, Funder, Organisation, Payment
from engine.rulebook import FieldError, InvalidInput
from engine.services.common import funder_by_code
from engine.services.final_reports import reports_due
from workflows.payment import KINDS, OUTGOING, PAYMENT

LIST_LIMIT = 10_000  # rows at most in one answer (a département's year is a few hundred)
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class PaymentRow:
    """A payment with what a list shows beside it."""

    payment: Payment
    funder_code: str
    funder_name: str
    application_reference: str | None
    application_title: str
    holder: str


@dataclass(frozen=True)
class ReportLine:
    application_id: int
    application_reference: str | None
    application_title: str
    holder: str
    due_on: date
    state: str


@dataclass
class FollowUp:
    today: date
    reports_due: list[ReportLine] = field(default_factory=list)
    reports_overdue: list[ReportLine] = field(default_factory=list)
    to_pay: list[PaymentRow] = field(default_factory=list)
    to_recover: list[PaymentRow] = field(default_factory=list)


def _choice(value: str | None, choices: tuple[str, ...], name: str) -> None:
    if value is not None and value not in choices:
        raise InvalidInput([FieldError(name, "not_a_choice")])


def rows_in(
    session: Session,
    actor: Actor,
    funder: str | None = None,
    state: str | None = None,
    kind: str | None = None,
    states: tuple[str, ...] | None = None,
    payment_id: int | None = None,
) -> list[PaymentRow]:
    """The payments `actor` may see, filtered (422 naming a filter of an unknown value, 403 for
    a funder's member asking for another funder's)."""
    _choice(state, PAYMENT.state_ids(), "state")
    _choice(kind, KINDS, "kind")
    query = (
        select(Payment, Funder, Application, Organisation)
        .join(Funder, col(Funder.id) == Payment.funder_id)
        .join(Application, col(Application.id) == Payment.application_id)
        .join(Organisation, col(Organisation.id) == Application.organisation_id)
    )
    if funder:
        chosen = funder_by_code(session, funder)
        if actor.role == "funder" and chosen.id != actor.funder_id:
            raise Forbidden("forbidden.other_funder")
        query = query.where(Payment.funder_id == chosen.id)
    if actor.role == "funder":
        query = query.where(Payment.funder_id == actor.funder_id)
    elif actor.role == "applicant":
        query = query.where(Application.organisation_id == actor.organisation_id)
    elif not actor.is_staff:
        raise Forbidden("forbidden.role", roles="chair, admin, funder, applicant")
    if state:
        query = query.where(Payment.state == state)
    if states:
        query = query.where(col(Payment.state).in_(states))
    if kind:
        query = query.where(Payment.kind == kind)
    if payment_id is not None:
        query = query.where(Payment.id == payment_id)
    rows = [
        PaymentRow(p, f.code, f.name, a.reference, a.title, o.name)
        for p, f, a, o in session.exec(query.limit(LIST_LIMIT))
    ]
    rows.sort(key=lambda r: (r.payment.application_id, r.funder_code, _KIND_ORDER[r.payment.kind]))
    return rows


def list_payments(
    db: Database,
    actor: Actor,
    funder: str | None = None,
    state: str | None = None,
    kind: str | None = None,
) -> list[PaymentRow]:
    with db.reading() as session:
        return rows_in(session, actor, funder, state, kind)


def payment_row(db: Database, actor: Actor, payment_id: int) -> PaymentRow:
    """One payment as the lists show it (after the caller acted on it)."""
    with db.reading() as session:
        rows = rows_in(session, actor, payment_id=payment_id)
    if not rows:
        raise NotFound("not_found.payment", id=payment_id)
    return rows[0]


def _report_lines(session: Session, today: date) -> list[ReportLine]:
    lines = []
    for report in reports_due(session, today):
        application = session.get(Application, report.application_id)
        if application is None:
            continue
        holder = session.get(Organisation, application.organisation_id)
        lines.append(
            ReportLine(
                application_id=report.application_id,
                application_reference=application.reference,
                application_title=application.title,
                holder=holder.name if holder else "",
                due_on=report.due_on,
                state=report.state,
            )
        )
    return sorted(lines, key=lambda line: (line.due_on, line.application_id))


def follow_up(db: Database, actor: Actor, today: date | None = None) -> FollowUp:
    """The chair's board: final reports due (overdue first), payments still to make, and
    recoveries still to claim."""
    require_role(actor, "chair", "admin")
    day = today or paris_date(now())
    board = FollowUp(today=day)
    with db.reading() as session:
        lines = _report_lines(session, day)
        board.reports_overdue = [line for line in lines if line.due_on < day]
        board.reports_due = [line for line in lines if line.due_on >= day]
        waiting = rows_in(session, actor, states=("scheduled", "ordered"))
    board.to_pay = [r for r in waiting if r.payment.kind in OUTGOING]
    board.to_recover = [r for r in waiting if r.payment.kind == "recovery"]
    return board
