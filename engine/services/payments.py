"""Payments on granted shares: opened when an agreement comes into force, fixed by the
settlement, ordered and marked paid by the funder's members (workflows/payment.py).

The functions taking a `session` run inside the caller's transaction (the agreement coming into
force, the settlement); `order_payment` and `pay_payment` are use cases with their own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from sqlmodel import Session, col, select

from engine.access import SYSTEM, Actor, require_funder_member
from engine.audit import authorise, record, transition
from engine.clock import now, paris_date
from engine.db import Database
from engine.errors import Conflict, Forbidden, NotFound
from engine.models import Application, Funder, Payment, Share
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.money import CENT, ZERO
from engine.rulebook.plan import payment_schedule
from engine.rulebook.text import require_text
from engine.services import follow_up_emails
from engine.services.common import check_version
from workflows.agreement import AGREEMENT
from workflows.payment import OUTGOING, PAYMENT

COMMITTED = PAYMENT.tagged("committed")
# Money flows once the agreement is in force (a convention: countersigned).
IN_FORCE = AGREEMENT.tagged("in_force")


class InForce(Protocol):
    """What this module reads of an agreement (engine.models.Agreement): its state."""

    @property
    def id(self) -> int | None: ...

    @property
    def state(self) -> str: ...


def check_amount(amount: Decimal, field: str = "amount", *, signed: bool = False) -> Decimal:
    """An amount handed to this module: at most two decimals and, unless `signed`, not negative
    (422 naming `field`), so that nothing is silently rounded away."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(CENT):
        raise InvalidInput([FieldError(field, "decimal_places", places=2)])
    if not signed and amount < 0:
        raise InvalidInput([FieldError(field, "negative_amount")])
    return amount.quantize(CENT)


def advance_rate(session: Session, share: Share) -> Decimal:
    """The funder's own rate, else the parameter `payment.advance_rate` on the file's date."""
    funder = session.get(Funder, share.funder_id)
    if funder is not None and funder.advance_rate is not None:
        return funder.advance_rate
    application = session.get(Application, share.application_id)
    on = (application.reference_date if application else None) or paris_date(now())
    value = default_registry().parameters["payment.advance_rate"].at(on).value
    assert isinstance(value, Decimal)
    return value


def _create(
    session: Session, share: Share, kind: str, amount: Decimal, state: str, actor: Actor
) -> Payment:
    assert share.id is not None
    payment = Payment(
        application_id=share.application_id,
        share_id=share.id,
        funder_id=share.funder_id,
        kind=kind,
        amount=amount,
        state=state,
        due_on=paris_date(now()) if state == "scheduled" else None,
    )
    session.add(payment)
    session.flush()
    assert payment.id is not None
    record(
        session,
        "payment",
        payment.id,
        "open",
        actor,
        to_state=state,
        application_id=share.application_id,
        data={"kind": kind, "amount": str(amount)},
    )
    return payment


def _of_share(session: Session, share_id: int) -> list[Payment]:
    query = select(Payment).where(Payment.share_id == share_id).order_by(col(Payment.id))
    return list(session.exec(query))


def open_payments(
    session: Session, share: Share, agreement: InForce, actor: Actor
) -> list[Payment]:
    """The advance (scheduled) and the balance (pending) of a granted share whose agreement is
    in force; nothing while it awaits its signatures. Called again for the same share (a second
    hook, a replay), it adds nothing."""
    assert share.id is not None
    existing = _of_share(session, share.id)
    if existing or agreement.state not in IN_FORCE or share.state != "granted":
        return existing
    if not share.granted:
        return []
    granted = check_amount(share.granted, "granted")
    schedule = payment_schedule(granted, advance_rate(session, share))
    opened = []
    for kind, state in (("advance", "scheduled"), ("balance", "pending")):
        amount = Decimal(schedule[kind])
        if amount > 0:  # a commune paying everything at once has no balance
            opened.append(_create(session, share, kind, amount, state, actor))
    return opened


def paid_total(session: Session, share_id: int) -> Decimal:
    """The money committed to the holder on this share: advances and balances scheduled,
    ordered or paid (a scheduled advance will be paid; counting it prevents over-payment)."""
    query = select(Payment).where(
        Payment.share_id == share_id,
        col(Payment.kind).in_(OUTGOING),
        col(Payment.state).in_(COMMITTED),
    )
    return sum((p.amount for p in session.exec(query)), ZERO)


def apply_settlement(session: Session, share: Share, due: Decimal, actor: Actor) -> Payment | None:
    """What the settlement leaves due on a share: > 0 schedules the balance at `due`, < 0
    cancels it and schedules a recovery of `-due`, 0 cancels it. `actor` caused it (the last
    approval); the steps themselves are the system's."""
    assert share.id is not None
    due = check_amount(due, "amount", signed=True)
    balance = next(
        (p for p in _of_share(session, share.id) if p.kind == "balance" and p.state == "pending"),
        None,
    )
    data: dict[str, object] = {"due": str(due), "by": actor.id}
    if due > 0:
        if balance is None:
            return _create(session, share, "balance", due, "scheduled", actor)
        balance.amount = due
        balance.due_on = paris_date(now())
        _step(session, balance, "schedule", SYSTEM, data)
        return balance
    if balance is not None:
        _step(session, balance, "cancel", SYSTEM, data)
    if due < 0:
        return _create(session, share, "recovery", -due, "scheduled", actor)
    return None


def payments_of(session: Session, application_id: int) -> list[Payment]:
    query = (
        select(Payment)
        .where(Payment.application_id == application_id)
        .order_by(col(Payment.share_id), col(Payment.id))
    )
    return list(session.exec(query))


def _step(
    session: Session, payment: Payment, trigger: str, actor: Actor, data: dict[str, object]
) -> None:
    transition(
        session,
        "payment",
        payment,
        trigger,
        actor,
        application_id=payment.application_id,
        data={"kind": payment.kind, "amount": str(payment.amount), **data},
    )
    session.flush()


# ---------------------------------------------------------------- use cases


def may_see(session: Session, actor: Actor, payment: Payment) -> bool:
    """Staff see every payment, a funder's members their funder's, a holder its own files'."""
    if actor.is_staff or actor.role == "system":
        return True
    if actor.role == "funder":
        return actor.funder_id == payment.funder_id
    if actor.role == "applicant":
        application = session.get(Application, payment.application_id)
        return application is not None and application.organisation_id == actor.organisation_id
    return False


def _acting_on(
    session: Session, actor: Actor, payment_id: int, trigger: str, if_match: int | None
) -> Payment:
    """Access before state: the payment as its list shows it, a role that may fire `trigger`,
    a member of its funder; only then the version."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound("not_found.payment", id=payment_id)
    if not may_see(session, actor, payment):
        raise Forbidden("forbidden.payment")
    authorise("payment", trigger, actor)
    require_funder_member(actor, payment.funder_id)
    check_version(payment, if_match)
    return payment


def order_payment(
    db: Database, actor: Actor, payment_id: int, reference: str, if_match: int | None = None
) -> Payment:
    """A member of the funder orders a scheduled payment with its accounting reference."""
    require_text({"reference": reference})
    if not reference.strip():
        raise InvalidInput([FieldError("reference", "required")])
    with db.transaction() as session:
        payment = _acting_on(session, actor, payment_id, "order", if_match)
        if payment.state in ("ordered", "paid"):
            raise Conflict("wrong_state.payment_ordered")
        if payment.state == "pending":
            raise Conflict("wrong_state.payment_pending")
        # Fields first, then the step (which flushes): one new version per action.
        payment.reference = reference.strip()
        _step(session, payment, "order", actor, {"reference": payment.reference})
        if payment.kind not in OUTGOING:  # a recovery claimed: the holder owes the money back
            follow_up_emails.payment_made(session, payment)
        return payment


def pay_payment(
    db: Database,
    actor: Actor,
    payment_id: int,
    paid_on: date,
    reference: str | None = None,
    if_match: int | None = None,
) -> Payment:
    """A member of the funder marks an ordered payment paid (or a recovery received) on the day
    the money moved; the file closes once nothing is left to pay (settlements.close_if_done)."""
    require_text({"reference": reference})
    if paid_on > paris_date(now()):
        raise InvalidInput([FieldError("paid_on", "date_in_future")])
    if paid_on.year < 2000:
        raise InvalidInput([FieldError("paid_on", "year_range")])
    with db.transaction() as session:
        payment = _acting_on(session, actor, payment_id, "pay", if_match)
        if payment.state == "paid":
            raise Conflict("wrong_state.payment_paid")
        if payment.state in ("pending", "scheduled"):
            raise Conflict("wrong_state.payment_not_ordered")
        payment.paid_on = paid_on
        if reference and reference.strip():
            payment.reference = reference.strip()
        _step(session, payment, "pay", actor, {"paid_on": paid_on.isoformat()})
        application = session.get(Application, payment.application_id)
        assert application is not None
        if payment.kind in OUTGOING:
            follow_up_emails.payment_made(session, payment)
        # Imported here: the settlement applies itself through this module's payments.
        from engine.services import settlements

        settlements.close_if_done(session, application, actor)
        return payment
