"""Payments through the HTTP API: each role's list and its filters, a funder's member ordering
then marking paid its advance, the refusals (409 paying twice or before the order, 403 for
another funder, 422 naming the field), and the spreadsheet for the accounting software.

The payments are opened in the setup as the agreement's hook opens them (open_payments), on a
file whose shares are granted directly in the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import select

from engine.access import SYSTEM
from engine.clock import now, paris_date
from engine.db import Database
from engine.formatting import format_date, format_money
from engine.models import Application, Funder, Share
from engine.services.payments import open_payments
from tests.api.conftest import Api

TODAY = paris_date(now())


@pytest.fixture
def payments(api: Api, draft_application: int, db: Database) -> dict[str, dict[str, Any]]:
    """asso's file notified with the Caf (3 000), the Département (1 000) and the MSA (500)
    granted, and their payments opened; keyed `<funder>-<kind>` as the chair lists them."""
    with db.transaction() as session:
        application = session.get(Application, draft_application)
        assert application is not None
        application.state = "notified"
        application.reference = "REAAP-2027-0042"
        application.submitted_at = now()
        for share in session.exec(select(Share).where(Share.application_id == application.id)):
            share.state, share.granted = "granted", share.requested
            session.flush()
            open_payments(session, share, SimpleNamespace(id=1, state="in_force"), SYSTEM)
    listed = api.ok(api.get("chair", "/payments"))
    return {f"{p['funder']}-{p['kind']}": p for p in listed}


def codes(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json().get("errors", [])]


def test_each_role_lists_the_payments_it_may_see(api: Api, payments: dict[str, Any]) -> None:
    assert set(payments) == {
        "caf-advance",
        "caf-balance",
        "departement-advance",
        "departement-balance",
        "msa-advance",
        "msa-balance",
    }
    advance = payments["caf-advance"]
    assert advance["amount"] == "2100.00" and advance["state"] == "scheduled"
    assert advance["application_reference"] == "REAAP-2027-0042"
    assert advance["holder"] == "Café des parents de l'Abbaye"
    assert advance["due_on"] == TODAY.isoformat() and advance["paid_on"] is None
    assert payments["caf-balance"]["amount"] == "900.00"
    assert payments["caf-balance"]["state"] == "pending"

    mine = api.ok(api.get("caf1", "/payments"))
    assert {p["funder"] for p in mine} == {"caf"} and len(mine) == 2
    assert api.ok(api.get("ville1", "/payments")) == []
    assert len(api.ok(api.get("asso", "/payments"))) == 6
    assert api.ok(api.get("other", "/payments")) == []
    filtered = api.ok(api.get("admin", "/payments", params={"state": "pending", "kind": "balance"}))
    assert {p["funder"] for p in filtered} == {"caf", "departement", "msa"}
    only_msa = api.ok(api.get("chair", "/payments", params={"funder": "msa"}))
    assert {p["funder"] for p in only_msa} == {"msa"}
    assert api.ok(api.get("caf1", "/payments", params={"funder": "caf"})) == mine


def test_a_funders_member_may_not_list_another_funders_payments(
    api: Api, payments: dict[str, Any]
) -> None:
    response = api.get("caf1", "/payments", params={"funder": "msa"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert api.get(None, "/payments").status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"kind": "gift"}, "kind"),
        ({"funder": "nobody"}, "funder"),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_it(
    api: Api, payments: dict[str, Any], params: dict[str, str], field: str
) -> None:
    response = api.get("chair", "/payments", params=params)
    assert response.status_code == 422, response.text
    assert [f for f, _ in codes(response)] == [field]


def test_a_member_orders_then_marks_paid_its_advance(
    api: Api, payments: dict[str, Any], db: Database
) -> None:
    advance = payments["caf-advance"]
    path = f"/payments/{advance['id']}"

    before_order = api.post("caf1", path + "/pay", json={"paid_on": TODAY.isoformat()})
    assert before_order.status_code == 409, before_order.text
    assert before_order.json()["code"] == "wrong_state"

    ordered = api.ok(api.post("caf1", path + "/order", json={"reference": "M-2027-0815"}))
    assert ordered["state"] == "ordered" and ordered["reference"] == "M-2027-0815"
    assert ordered["version"] == advance["version"] + 1
    assert api.queued("payment") == []  # ordered is not yet paid: the holder waits

    paid_on = TODAY - timedelta(days=1)
    paid = api.ok(api.post("caf2", path + "/pay", json={"paid_on": paid_on.isoformat()}))
    assert paid["state"] == "paid" and paid["paid_on"] == paid_on.isoformat()
    assert paid["reference"] == "M-2027-0815"

    twice = api.post("caf1", path + "/pay", json={"paid_on": TODAY.isoformat()})
    assert twice.status_code == 409 and twice.json()["code"] == "wrong_state"
    # The holder is told once, with the amount, the day and the funder's reference.
    (told,) = api.queued("payment")
    assert (told.recipient, told.subject) == ("asso@example.org", "Avance versée — REAAP-2027-0042")
    amount, day = format_money(Decimal(advance["amount"])), format_date(paid_on)
    assert f"Caf de l'Isère a versé {amount} le {day}" in told.body_text
    assert "(référence M-2027-0815)" in told.body_text
    events = [e for e in api.events(advance["application_id"]) if e["entity"] == "payment"]
    mine = [e for e in events if e["entity_id"] == advance["id"]]
    assert [(e["action"], e["to_state"]) for e in mine] == [
        ("open", "scheduled"),
        ("order", "ordered"),
        ("pay", "paid"),
    ]


def test_only_the_payments_funder_acts_on_it(api: Api, payments: dict[str, Any]) -> None:
    path = f"/payments/{payments['caf-advance']['id']}/order"
    for user in ("dep1", "chair", "admin", "asso", "other"):
        response = api.post(user, path, json={"reference": "M-1"})
        assert response.status_code == 403, (user, response.text)
    assert api.post("caf1", "/payments/999999/order", json={"reference": "M-1"}).status_code == 404
    assert api.get("caf1", "/payments")  # nothing moved
    assert (
        api.ok(api.get("chair", "/payments", params={"funder": "caf", "kind": "advance"}))[0][
            "state"
        ]
        == "scheduled"
    )


def test_a_pending_balance_waits_for_the_settlement(api: Api, payments: dict[str, Any]) -> None:
    response = api.post(
        "caf1", f"/payments/{payments['caf-balance']['id']}/order", json={"reference": "M-2"}
    )
    assert response.status_code == 409, response.text


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("order", {}, "reference"),
        ("order", {"reference": ""}, "reference"),
        ("order", {"reference": "M-1", "amount": "10.00"}, "amount"),
        ("pay", {}, "paid_on"),
        ("pay", {"paid_on": "2027-13-45"}, "paid_on"),
        ("pay", {"paid_on": "demain"}, "paid_on"),
        ("pay", {"paid_on": (TODAY + timedelta(days=3)).isoformat()}, "paid_on"),
        ("pay", {"paid_on": "1999-12-31"}, "paid_on"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    api: Api, payments: dict[str, Any], action: str, body: dict[str, Any], field: str
) -> None:
    advance = payments["caf-advance"]
    if action == "pay":
        api.ok(api.post("caf1", f"/payments/{advance['id']}/order", json={"reference": "M-1"}))
    before = api.ok(api.get("chair", "/payments"))
    response = api.post("caf1", f"/payments/{advance['id']}/{action}", json=body)
    assert response.status_code == 422, response.text
    assert field in [f for f, _ in codes(response)], response.text
    assert api.ok(api.get("chair", "/payments")) == before


def test_a_stale_version_is_refused(api: Api, payments: dict[str, Any]) -> None:
    advance = payments["caf-advance"]
    response = api.post(
        "caf1",
        f"/payments/{advance['id']}/order",
        json={"reference": "M-1"},
        headers={"If-Match": str(advance["version"] + 5)},
    )
    assert response.status_code == 409 and response.json()["code"] == "stale_version"


def test_the_spreadsheet_has_french_headers_and_a_decimal_comma_or_point(
    api: Api, payments: dict[str, Any], db: Database
) -> None:
    response = api.get("caf1", "/payments.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffRéférence du dossier;Action;Porteur;Financeur;Nature;Montant;")
    rows = [line for line in text.split("\r\n")[1:] if line]
    assert len(rows) == 2  # the Caf's own advance and balance, one row each
    assert any(";Acompte;2100,00;À ordonnancer;" in row for row in rows)
    assert any(";Solde;900,00;En attente du solde;" in row for row in rows)

    point = api.get("chair", "/payments.csv", params={"decimal": "point", "kind": "advance"})
    lines = [line for line in point.content.decode("utf-8").split("\r\n")[1:] if line]
    assert len(lines) == 3 and any(";2100.00;" in line for line in lines)
    with db.reading() as session:
        caf = session.exec(select(Funder).where(Funder.code == "caf")).one()
    assert caf.advance_rate is None  # so the parameter's 0.70: 2 100 of 3 000

    bad = api.get("caf1", "/payments.csv", params={"decimal": "virgule"})
    assert bad.status_code == 422 and [f for f, _ in codes(bad)] == ["decimal"]


def test_the_funders_page_and_the_chairs_board_show_the_payments(
    api: Api, payments: dict[str, Any]
) -> None:
    client = api.client
    token = api.headers["caf1"]["Authorization"].removeprefix("Bearer ")
    client.cookies.set("cofinance_session", token)
    page = client.get("/financeur/versements")
    assert page.status_code == 200, page.text
    text = page.text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Acompte" in text and "2 100,00 €" in text and "Ordonnancer" in text
    assert "/financeur/versements.csv" in text
    client.cookies.set("cofinance_session", api.headers["chair"]["Authorization"][7:])
    board = client.get("/comite/suivi")
    assert board.status_code == 200, board.text
    assert "Versements à effectuer" in board.text and "Caf" in board.text
    client.cookies.clear()


def test_payment_dates_are_calendar_days(payments: dict[str, Any]) -> None:
    assert date.fromisoformat(payments["caf-advance"]["due_on"]) == TODAY


def test_the_page_forms_order_then_mark_paid_and_say_what_is_wrong(
    api: Api, payments: dict[str, Any]
) -> None:
    client = api.client
    csrf = "csrf-of-the-payment-test"
    client.cookies.set("cofinance_csrf", csrf)
    client.cookies.set("cofinance_session", api.headers["caf1"]["Authorization"][7:])
    advance = payments["caf-advance"]["id"]
    base = f"/financeur/versements/{advance}"

    blank = client.post(base + "/ordonner", data={"csrf_token": csrf, "reference": ""})
    assert blank.status_code == 422 and "Ce champ est obligatoire." in blank.text
    ordered = client.post(
        base + "/ordonner",
        data={"csrf_token": csrf, "reference": "M-77", "retour": "/financeur/versements?etat="},
        follow_redirects=False,
    )
    assert ordered.status_code == 303, ordered.text
    assert ordered.headers["location"].startswith("/financeur/versements?etat=&ok=")
    bad_day = client.post(base + "/payer", data={"csrf_token": csrf, "paid_on": "31/02/2026"})
    assert bad_day.status_code == 422 and "Saisissez une date valide" in bad_day.text
    paid = client.post(
        base + "/payer",
        data={"csrf_token": csrf, "paid_on": TODAY.isoformat(), "retour": "https://ailleurs.fr"},
        follow_redirects=False,
    )
    assert paid.status_code == 303 and paid.headers["location"].startswith("/financeur/versements?")
    again = client.post(base + "/payer", data={"csrf_token": csrf, "paid_on": TODAY.isoformat()})
    assert again.status_code == 409 and "déjà marqué payé" in again.text
    client.cookies.clear()
    state = api.ok(api.get("chair", "/payments", params={"funder": "caf", "kind": "advance"}))
    assert [(p["state"], p["reference"], p["paid_on"]) for p in state] == [
        ("paid", "M-77", TODAY.isoformat())
    ]
