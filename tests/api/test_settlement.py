"""The settlement end to end through the HTTP API (DESIGN §10): the worked example, from the
decision to the closed file, with its letters, its emails and « pourquoi ce montant ? »."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from engine import models
from tests.api.test_plugin_package import page
from tests.wording import problems

GRANTED = {"grenoble": "1500.00", "caf": "1700.00", "departement": "800.00"}
MEMBER = {"grenoble": "ville1", "caf": "caf1", "departement": "dep1"}


def notified_plan(api: Any) -> dict[str, Any]:
    """The worked example's plan, decided and notified: the commune pays everything at once."""
    api.ok(api.patch("admin", "/funders/grenoble", json={"advance_rate": "1.00"}))
    envelopes = {"caf": "50000.00", "departement": "20000.00", "grenoble": "10000.00"}
    call = api.call(envelopes)
    body = api.body(
        budget={"total_cost": "4000.00", "investment_costs": "0", "other_resources": "0.00"},
        requests=GRANTED,
    )
    application = api.eligible(call["id"], body)
    meeting = api.open_session(call["id"], [application["id"]])
    for funder, amount in GRANTED.items():
        api.ok(api.decide(meeting["id"], application["id"], funder, "granted", amount), 201)
    api.move(meeting["id"], "close")
    assert api.application(application["id"])["state"] == "notified"
    return application


def pay(api: Any, payment: dict[str, Any], funder: str) -> None:
    user = MEMBER[funder]
    api.ok(api.post(user, f"/payments/{payment['id']}/order", json={"reference": "MDT-2027-1"}))
    paid = api.post(user, f"/payments/{payment['id']}/pay", json={"paid_on": str(date.today())})
    assert api.ok(paid)["state"] == "paid"


def payments(api: Any, application_id: int) -> list[dict[str, Any]]:
    funding = api.ok(api.get("chair", f"/applications/{application_id}/funding"))
    return list(funding["payments"])


def file_report(api: Any, application_id: int, cost: str = "3200.00") -> None:
    report = {
        "actual_total_cost": cost,
        "actual_other_resources": "0.00",
        "lines": [
            {"label": "Animation", "kind": "charge", "forecast": "4000.00", "actual": cost},
        ],
        "activity": {"parents": 40, "children": 25, "sessions": 12},
        "narrative": "Action menée comme prévu, moins de séances que prévu.",
    }
    api.ok(api.put("asso", f"/applications/{application_id}/report", json=report))
    api.ok(api.post("asso", f"/applications/{application_id}/report/submit"))


def test_the_worked_example_settles_recovers_and_closes_the_file(api: Any) -> None:
    application = notified_plan(api)
    aid = application["id"]
    opened = {(p["funder"], p["kind"]): (p["amount"], p["state"]) for p in payments(api, aid)}
    assert opened == {
        ("grenoble", "advance"): ("1500.00", "scheduled"),
        ("caf", "advance"): ("1190.00", "scheduled"),
        ("caf", "balance"): ("510.00", "pending"),
        ("departement", "advance"): ("560.00", "scheduled"),
        ("departement", "balance"): ("240.00", "pending"),
    }
    for payment in payments(api, aid):
        if payment["kind"] == "advance":
            pay(api, payment, payment["funder"])
    file_report(api, aid)

    for funder in ("grenoble", "caf"):
        review = {"funder": funder, "outcome": "approved"}
        api.ok(api.post(MEMBER[funder], f"/applications/{aid}/report/reviews", json=review))
        assert api.application(aid)["state"] == "notified"  # not before the last approval
    review = {"funder": "departement", "outcome": "approved"}
    api.ok(api.post("dep1", f"/applications/{aid}/report/reviews", json=review))
    assert api.application(aid)["state"] == "settled"

    funding = api.ok(api.get("asso", f"/applications/{aid}/funding"))
    settlement = funding["settlement"]
    assert settlement["excess"] == "800.00"
    lines = {line["funder"]: line for line in settlement["lines"]}
    assert (lines["grenoble"]["recovery"], lines["grenoble"]["final"]) == ("300.00", "1200.00")
    assert (lines["caf"]["balance"], lines["departement"]["balance"]) == ("170.00", "80.00")
    due = {(p["funder"], p["kind"]): (p["amount"], p["state"]) for p in funding["payments"]}
    assert due[("grenoble", "recovery")] == ("300.00", "scheduled")
    assert due[("caf", "balance")] == ("170.00", "scheduled")
    assert due[("departement", "balance")] == ("80.00", "scheduled")

    # The letters: the holder's states the whole calculation, each funder reads its own.
    letters = api.ok(api.get("asso", f"/applications/{aid}/letters"))
    holder = next(letter for letter in letters if letter["kind"] == "settlement")
    text = api.pdf_text(api.get("asso", f"/letters/{holder['id']}").content)
    assert "800,00 €" in text and "300,00 €" in text and "170,00 €" in text
    assert "Ville de Grenoble" in text and "titre de recette" in text
    assert problems(text) == []
    own = api.ok(api.get("caf1", f"/applications/{aid}/letters"))
    kinds = {(letter["kind"], letter["title"]) for letter in own}
    assert any(kind == "settlement_funder" and "Caf" in title for kind, title in kinds)
    assert not any("Grenoble" in title for kind, title in kinds if kind == "settlement_funder")
    with api.db.reading() as session:
        sent = session.exec(
            select(models.OutboxMessage).where(models.OutboxMessage.application_id == aid)
        ).all()
    assert {m.recipient for m in sent if m.kind == "settlement"} >= {"asso@example.org"}
    assert "caf1@example.org" in {m.recipient for m in sent if m.kind == "funder_settlement"}
    assert all(problems(m.body_text) == [] for m in sent if "settlement" in m.kind)

    # The last payment or recovery paid closes the file.
    for payment in payments(api, aid):
        if payment["state"] == "scheduled":
            assert api.application(aid)["state"] == "settled"
            pay(api, payment, payment["funder"])
    assert api.application(aid)["state"] == "closed"
    # The holder was told of each balance paid and of the recovery claimed, in French.
    told = [m for m in api.queued("payment") if m.application_id == aid]
    subjects = sorted(m.subject.split(" — ")[0] for m in told if m.recipient == "asso@example.org")
    assert subjects == [*["Avance versée"] * 3, "Reversement demandé", *["Solde versé"] * 2]
    (claim,) = [m for m in told if m.subject.startswith("Reversement")]
    assert "Ville de Grenoble a émis un titre de recette de 300,00" in claim.body_text.replace(
        "\xa0", " "
    )
    assert all(problems(m.body_text) == [] for m in told)
    events = [e["action"] for e in api.events(aid)]
    assert events.count("settle") == 1 and events.count("close") == 1

    # « Pourquoi ce montant ? » on the file page, for the holder and the funders.
    for user in ("asso", "caf1"):
        shown = page(api, user, f"/dossiers/{aid}").replace("\u202f", " ").replace("\xa0", " ")
        assert "Pourquoi ce montant ?" in shown and "1 200,00" in shown
