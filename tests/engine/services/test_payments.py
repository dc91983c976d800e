"""Payments on granted shares, on rows built directly in a migrated test database: the advance
and balance opened when an agreement comes into force, the money committed, the settlement's
balance, recovery or cancellation, the order and the payment with their refusals, and who sees
which payment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from engine.access import SYSTEM, Actor
from engine.clock import now, paris_date
from engine.db import Database
from engine.errors import Conflict, Forbidden, NotFound
from engine.models import (
    Application,
    Call,
    Event,
    Funder,
    Organisation,
    Payment,
    Share,
    User,
)
from engine.rulebook import InvalidInput
from engine.services.payment_export import HEADERS, payments_csv
from engine.services.payment_list import follow_up, list_payments
from engine.services.payments import (
    apply_settlement,
    check_amount,
    open_payments,
    order_payment,
    paid_total,
    pay_payment,
    payments_of,
)

TODAY = paris_date(now())


@dataclass
class InForce:
    """An agreement in force, as open_payments reads it."""

    id: int | None = 1
    state: str = "in_force"


@dataclass
class World:
    application_id: int
    other_application_id: int
    shares: dict[str, int]
    actors: dict[str, Actor]


def _user(name: str, role: str, **links: int | None) -> User:
    return User(username=name, name=name.title(), password_hash="x", role=role, **links)


@pytest.fixture
def world(db: Database) -> World:
    """DESIGN §10's worked example: the commune (which pays everything at once) granted 1 500,
    the Caf 1 700 and the Département 800; and a file of another holder, granted by the Caf."""
    with db.transaction() as session:
        holder = Organisation(name="Parents en Chemin")
        other = Organisation(name="Village Sud")
        funders = {
            "caf": Funder(code="caf", name="Caf de l'Isère", kind="caf"),
            "departement": Funder(code="departement", name="Département", kind="departement"),
            "grenoble": Funder(
                code="grenoble", name="Ville de Grenoble", kind="commune", advance_rate=Decimal(1)
            ),
        }
        session.add_all([holder, other, *funders.values()])
        session.flush()
        users = {
            "holder": _user("holder", "applicant", organisation_id=holder.id),
            "stranger": _user("stranger", "applicant", organisation_id=other.id),
            "caf": _user("caf", "funder", funder_id=funders["caf"].id),
            "grenoble": _user("grenoble", "funder", funder_id=funders["grenoble"].id),
            "departement": _user("departement", "funder", funder_id=funders["departement"].id),
            "chair": _user("chair", "chair"),
        }
        session.add_all(users.values())
        session.flush()
        call = Call(scheme="reaap", title="Reaap", opens_at=now(), closes_at=now(), state="open")
        session.add(call)
        session.flush()
        applications = [
            Application(
                reference=f"REAAP-2027-000{i}",
                call_id=call.id or 0,
                organisation_id=org.id or 0,
                created_by=users["holder"].id or 0,
                title=title,
                state="notified",
                reference_date=date(2027, 1, 15),
                submitted_at=now(),
            )
            for i, (org, title) in enumerate(
                [(holder, "Café des parents"), (other, "Ludothèque")], start=1
            )
        ]
        session.add_all(applications)
        session.flush()
        granted = [
            (applications[0], "grenoble", "1500.00"),
            (applications[0], "caf", "1700.00"),
            (applications[0], "departement", "800.00"),
            (applications[1], "caf", "1000.00"),
        ]
        shares = {}
        for application, code, amount in granted:
            share = Share(
                application_id=application.id or 0,
                funder_id=funders[code].id or 0,
                state="granted",
                requested=Decimal(amount),
                granted=Decimal(amount),
            )
            session.add(share)
            session.flush()
            key = code if application is applications[0] else f"other-{code}"
            shares[key] = share.id or 0
        return World(
            applications[0].id or 0,
            applications[1].id or 0,
            shares,
            {name: Actor.of(user) for name, user in users.items()},
        )


def opened(db: Database, world: World) -> dict[tuple[str, str], Payment]:
    """Every share's payments opened; keyed by (share, kind)."""
    with db.transaction() as session:
        for share_id in world.shares.values():
            share = session.get(Share, share_id)
            assert share is not None
            open_payments(session, share, InForce(), SYSTEM)
    with db.reading() as session:
        by_share = {v: k for k, v in world.shares.items()}
        return {(by_share[p.share_id], p.kind): p for p in session.exec(select(Payment))}


def test_an_agreement_in_force_opens_a_scheduled_advance_and_a_pending_balance(
    db: Database, world: World
) -> None:
    payments = opened(db, world)
    caf_advance, caf_balance = payments["caf", "advance"], payments["caf", "balance"]
    assert (caf_advance.amount, caf_advance.state) == (Decimal("1190.00"), "scheduled")
    assert caf_advance.due_on == TODAY
    assert (caf_balance.amount, caf_balance.state) == (Decimal("510.00"), "pending")
    assert caf_balance.due_on is None
    assert payments["departement", "advance"].amount == Decimal("560.00")
    assert payments["departement", "balance"].amount == Decimal("240.00")
    # The commune's own rate is 1: everything as an advance, no balance of 0.
    assert payments["grenoble", "advance"].amount == Decimal("1500.00")
    assert ("grenoble", "balance") not in payments
    with db.reading() as session:
        events = session.exec(select(Event).where(Event.entity == "payment")).all()
        assert len(events) == len(payments) == 7
        assert {e.action for e in events} == {"open"}
        assert all(
            e.application_id in (world.application_id, world.other_application_id) for e in events
        )


def test_opening_twice_adds_nothing_and_an_undecided_share_gets_nothing(
    db: Database, world: World
) -> None:
    with db.transaction() as session:
        share = session.get(Share, world.shares["caf"])
        assert share is not None
        unsigned = InForce(state="awaiting_signature")
        assert open_payments(session, share, unsigned, SYSTEM) == []
    first = opened(db, world)
    second = opened(db, world)
    assert {k: p.id for k, p in first.items()} == {k: p.id for k, p in second.items()}
    with db.transaction() as session:
        share = session.get(Share, world.shares["caf"])
        assert share is not None
        share.state = "refused"
        assert len(payments_of(session, world.application_id)) == 5
        refused = Share(
            application_id=world.other_application_id,
            funder_id=share.funder_id + 1,
            state="refused",
            requested=Decimal("100.00"),
        )
        session.add(refused)
        session.flush()
        assert open_payments(session, refused, InForce(), SYSTEM) == []


def test_the_money_committed_counts_advances_and_balances_scheduled_ordered_or_paid(
    db: Database, world: World
) -> None:
    payments = opened(db, world)
    with db.transaction() as session:
        # The pending balance is not committed yet; the scheduled advance is.
        assert paid_total(session, world.shares["caf"]) == Decimal("1190.00")
        balance = session.get(Payment, payments["caf", "balance"].id)
        assert balance is not None
        balance.state = "paid"
        recovery = Payment(
            application_id=world.application_id,
            share_id=world.shares["caf"],
            funder_id=balance.funder_id,
            kind="recovery",
            amount=Decimal("50.00"),
            state="scheduled",
        )
        cancelled = Payment(
            application_id=world.application_id,
            share_id=world.shares["caf"],
            funder_id=balance.funder_id,
            kind="balance",
            amount=Decimal("99.00"),
            state="cancelled",
        )
        session.add_all([recovery, cancelled])
        session.flush()
        assert paid_total(session, world.shares["caf"]) == Decimal("1700.00")
        assert paid_total(session, world.shares["grenoble"]) == Decimal("1500.00")


def test_the_settlement_of_the_worked_example_schedules_two_balances_and_a_recovery(
    db: Database, world: World
) -> None:
    opened(db, world)
    chair = world.actors["chair"]
    with db.transaction() as session:
        results = {}
        for code, due in [("grenoble", "-300.00"), ("caf", "170.00"), ("departement", "80.00")]:
            share = session.get(Share, world.shares[code])
            assert share is not None
            results[code] = apply_settlement(session, share, Decimal(due), chair)
    caf, dep, commune = results["caf"], results["departement"], results["grenoble"]
    assert caf is not None and dep is not None and commune is not None
    assert (caf.kind, caf.amount, caf.state, caf.due_on) == (
        "balance",
        Decimal("170.00"),
        "scheduled",
        TODAY,
    )
    assert (dep.kind, dep.amount, dep.state) == ("balance", Decimal("80.00"), "scheduled")
    assert (commune.kind, commune.amount, commune.state) == (
        "recovery",
        Decimal("300.00"),
        "scheduled",
    )
    with db.reading() as session:
        steps = session.exec(
            select(Event).where(Event.entity == "payment", Event.action == "schedule")
        ).all()
        assert len(steps) == 2 and all(e.data["by"] == chair.id for e in steps)


def test_a_settlement_with_nothing_due_cancels_the_balance_and_one_owing_more_cancels_it_too(
    db: Database, world: World
) -> None:
    payments = opened(db, world)
    with db.transaction() as session:
        caf = session.get(Share, world.shares["caf"])
        dep = session.get(Share, world.shares["departement"])
        assert caf is not None and dep is not None
        assert apply_settlement(session, caf, Decimal("0"), SYSTEM) is None
        recovery = apply_settlement(session, dep, Decimal("-60.00"), SYSTEM)
        assert recovery is not None and recovery.amount == Decimal("60.00")
    with db.reading() as session:
        for code in ("caf", "departement"):
            balance = session.get(Payment, payments[code, "balance"].id)
            assert balance is not None and balance.state == "cancelled"


def test_a_settlement_due_on_a_share_without_balance_creates_one(
    db: Database, world: World
) -> None:
    opened(db, world)
    with db.transaction() as session:
        share = session.get(Share, world.shares["grenoble"])
        assert share is not None
        balance = apply_settlement(session, share, Decimal("25.50"), SYSTEM)
        assert balance is not None
        assert (balance.kind, balance.amount, balance.state) == (
            "balance",
            Decimal("25.50"),
            "scheduled",
        )


def test_negative_or_three_decimal_amounts_are_refused_naming_the_field(
    db: Database, world: World
) -> None:
    with pytest.raises(InvalidInput) as negative:
        check_amount(Decimal("-1.00"), "amount")
    assert [(e.field, e.code) for e in negative.value.errors] == [("amount", "negative_amount")]
    assert check_amount(Decimal("1.500")) == Decimal("1.50")  # trailing zeros are no cents
    opened(db, world)
    with db.transaction() as session:
        share = session.get(Share, world.shares["caf"])
        assert share is not None
        with pytest.raises(InvalidInput) as three:
            apply_settlement(session, share, Decimal("170.005"), SYSTEM)
        assert [(e.field, e.code) for e in three.value.errors] == [("amount", "decimal_places")]
    with db.transaction() as session:
        commune = session.get(Share, world.shares["grenoble"])
        assert commune is not None
        negative_share = Share(
            application_id=world.other_application_id,
            funder_id=commune.funder_id,
            state="granted",
            requested=Decimal("10.00"),
            granted=Decimal("-10.00"),
        )
        session.add(negative_share)
        session.flush()
        with pytest.raises(InvalidInput) as bad_share:
            open_payments(session, negative_share, InForce(), SYSTEM)
        assert [(e.field, e.code) for e in bad_share.value.errors] == [
            ("granted", "negative_amount")
        ]


def test_a_member_orders_then_marks_paid_and_nothing_else_goes_through(
    db: Database, world: World
) -> None:
    payments = opened(db, world)
    caf = world.actors["caf"]
    advance = payments["caf", "advance"].id or 0
    balance = payments["caf", "balance"].id or 0
    with pytest.raises(Conflict) as early:
        pay_payment(db, caf, advance, TODAY)
    assert early.value.message_code == "wrong_state.payment_not_ordered"
    with pytest.raises(Conflict) as pending:
        order_payment(db, caf, balance, "M-2027-001")
    assert pending.value.message_code == "wrong_state.payment_pending"
    for who in ("grenoble", "chair", "holder"):  # another funder, staff, the holder
        with pytest.raises(Forbidden):
            order_payment(db, world.actors[who], advance, "M-2027-001")
    with pytest.raises(Forbidden):
        order_payment(db, world.actors["stranger"], advance, "M-2027-001")
    with pytest.raises(NotFound):
        order_payment(db, caf, 999_999, "M-2027-001")
    with pytest.raises(InvalidInput) as blank:
        order_payment(db, caf, advance, "  ")
    assert blank.value.errors[0].field == "reference"

    ordered = order_payment(db, caf, advance, " M-2027-001 ")
    assert (ordered.state, ordered.reference) == ("ordered", "M-2027-001")
    with pytest.raises(Conflict) as twice_ordered:
        order_payment(db, caf, advance, "M-2027-002")
    assert twice_ordered.value.message_code == "wrong_state.payment_ordered"
    with pytest.raises(InvalidInput) as future:
        pay_payment(db, caf, advance, TODAY + timedelta(days=1))
    assert [e.field for e in future.value.errors] == ["paid_on"]

    paid = pay_payment(db, caf, advance, TODAY - timedelta(days=2))
    assert (paid.state, paid.paid_on) == ("paid", TODAY - timedelta(days=2))
    with pytest.raises(Conflict) as twice:
        pay_payment(db, caf, advance, TODAY)
    assert twice.value.message_code == "wrong_state.payment_paid"
    with db.reading() as session:
        steps = session.exec(
            select(Event.action, Event.from_state, Event.to_state, Event.actor_id).where(
                Event.entity == "payment", Event.entity_id == advance
            )
        ).all()
    assert steps == [
        ("open", None, "scheduled", None),
        ("order", "scheduled", "ordered", caf.id),
        ("pay", "ordered", "paid", caf.id),
    ]


def test_each_role_lists_the_payments_it_may_see(db: Database, world: World) -> None:
    opened(db, world)
    chair, caf = world.actors["chair"], world.actors["caf"]
    assert len(list_payments(db, chair)) == 7
    mine = list_payments(db, caf)
    assert {r.funder_code for r in mine} == {"caf"} and len(mine) == 4
    assert len(list_payments(db, caf, "caf", "scheduled", "advance")) == 2
    with pytest.raises(Forbidden):
        list_payments(db, caf, "grenoble")
    holder = list_payments(db, world.actors["holder"])
    assert {r.payment.application_id for r in holder} == {world.application_id}
    assert len(holder) == 5
    assert {r.holder for r in list_payments(db, world.actors["stranger"])} == {"Village Sud"}
    for name, value in (("state", "lost"), ("kind", "gift")):
        with pytest.raises(InvalidInput) as bad:
            list_payments(db, chair, **{name: value})
        assert bad.value.errors[0].field == name
    with pytest.raises(InvalidInput) as unknown:
        list_payments(db, chair, "nobody")
    assert unknown.value.errors[0].field == "funder"


def test_the_spreadsheet_has_french_headers_one_row_per_payment_and_either_decimal_mark(
    db: Database, world: World
) -> None:
    opened(db, world)
    rows = list_payments(db, world.actors["caf"], kind="advance")
    comma = payments_csv(rows).decode("utf-8")
    assert comma.startswith("\ufeff")
    lines = comma.lstrip("\ufeff").split("\r\n")
    assert lines[0].split(";") == list(HEADERS)
    assert len([line for line in lines[1:] if line]) == 2
    assert "REAAP-2027-0001;Café des parents;Parents en Chemin;Caf de l'Isère;Acompte;1190,00;" in (
        comma
    )
    assert "À ordonnancer;" + TODAY.strftime("%d/%m/%Y") in comma
    point = payments_csv(rows, "point").decode("utf-8")
    assert ";1190.00;" in point and ";700.00;" in point


def test_the_chairs_board_lists_payments_to_make_and_recoveries_to_claim(
    db: Database, world: World
) -> None:
    opened(db, world)
    with db.transaction() as session:
        share = session.get(Share, world.shares["grenoble"])
        assert share is not None
        apply_settlement(session, share, Decimal("-300.00"), SYSTEM)
    board = follow_up(db, world.actors["chair"])
    assert len(board.to_pay) == 4  # the four scheduled advances
    assert [(r.funder_code, r.payment.amount) for r in board.to_recover] == [
        ("grenoble", Decimal("300.00"))
    ]
    with pytest.raises(Forbidden):
        follow_up(db, world.actors["caf"])


def test_the_chairs_board_splits_the_awaited_reports_into_overdue_and_due(
    db: Database, world: World
) -> None:
    from engine.models import FinalReport

    with db.transaction() as session:
        session.add_all(
            [
                FinalReport(application_id=world.application_id, due_on=TODAY - timedelta(1)),
                FinalReport(
                    application_id=world.other_application_id, due_on=TODAY + timedelta(30)
                ),
            ]
        )
    board = follow_up(db, world.actors["chair"])
    assert [(r.application_reference, r.holder) for r in board.reports_overdue] == [
        ("REAAP-2027-0001", "Parents en Chemin")
    ]
    assert [r.application_id for r in board.reports_due] == [world.other_application_id]


def test_the_last_payment_or_recovery_paid_closes_a_settled_file(
    db: Database, world: World
) -> None:
    opened(db, world)
    with db.transaction() as session:
        for code, due in [("grenoble", "-300.00"), ("caf", "170.00"), ("departement", "80.00")]:
            share = session.get(Share, world.shares[code])
            assert share is not None
            apply_settlement(session, share, Decimal(due), SYSTEM)
        application = session.get(Application, world.application_id)
        assert application is not None
        application.state = "settled"  # as the settlement leaves it
    with db.reading() as session:
        waiting = session.exec(
            select(Payment, Funder.code)
            .join(Funder, Funder.id == Payment.funder_id)  # type: ignore[arg-type]
            .where(Payment.application_id == world.application_id)
            .order_by(Payment.id)  # type: ignore[arg-type]
        ).all()
    assert len(waiting) == 6  # 3 advances, 2 balances, 1 recovery
    for number, (payment, code) in enumerate(waiting):
        member = world.actors[code]
        order_payment(db, member, payment.id or 0, f"T-{number}")
        pay_payment(db, member, payment.id or 0, TODAY)
        with db.reading() as session:
            state = session.get(Application, world.application_id).state  # type: ignore[union-attr]
        assert state == ("closed" if number == len(waiting) - 1 else "settled"), number
