"""The final financial report (CERFA 15059) through the HTTP API: opened when the file is
notified, filled in and submitted by the holder, approved by every funder that granted a share,
handed back with a reason, refused with a French error naming the field, reminded on time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from engine.clock import at
from engine.models import Application, Event, OutboxMessage
from engine.services.reminders.reports import remind_reports

REPORT = "/applications/{id}/report"


def notified(api: Any) -> int:
    """A file notified with the Caf (3 000 €) and the Département (1 200 €) granting, the MSA
    and the State refusing; its action ends 15 December 2027."""
    call = api.call()
    application = api.eligible(call["id"])
    meeting = api.open_session(call["id"], [application["id"]])
    for funder, outcome, amount in (
        ("caf", "granted", "3000.00"),
        ("departement", "granted", "1200.00"),
        ("msa", "refused", None),
        ("etat", "refused", None),
    ):
        api.ok(api.decide(meeting["id"], application["id"], funder, outcome, amount), 201)
    api.move(meeting["id"], "close")
    assert api.application(application["id"])["state"] == "notified"
    if api.get("asso", REPORT.format(id=application["id"])).status_code == 404:
        # The agreements' hook opens the report at notification; until it is there, open it
        # the way it does.
        from engine.services.final_reports import open_report

        with api.db.transaction() as session:
            row = session.get(Application, application["id"])
            assert row is not None
            open_report(session, row)
    return int(application["id"])


def figures(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "actual_total_cost": "5800.00",
        "actual_other_resources": "900.00",
        "lines": [
            {"label": "Salaires", "kind": "charge", "forecast": "4000.00", "actual": "3900.00"},
            {"label": "Locations", "kind": "charge", "forecast": "2000.00", "actual": "1900.00"},
            {
                "label": "Subvention Caf",
                "kind": "income",
                "forecast": "3000.00",
                "actual": "3000.00",
            },
        ],
        "activity": {"parents": 42, "children": 30, "sessions": 18},
        "narrative": "Dix-huit rencontres, une fréquentation en hausse.",
    }
    body.update(changes)
    return body


@pytest.fixture
def file_id(api: Any) -> int:
    return notified(api)


def test_the_report_opens_due_six_months_after_the_action_with_the_forecast_prefilled(
    api: Any, file_id: int
) -> None:
    report = api.ok(api.get("asso", REPORT.format(id=file_id)))
    assert (report["state"], report["state_label"]) == ("due", "Attendu")
    assert report["due_on"] == "2028-06-15"  # 15 December 2027 + 6 months
    assert report["reviewers"] == ["caf", "departement"]
    assert [(x["label"], x["kind"], x["forecast"], x["actual"]) for x in report["lines"]] == [
        ("Coût total de l'action", "charge", "6000.00", None),
        ("Subvention — Caf de l'Isère", "income", "3000.00", None),
        ("Subvention — Département de l'Isère", "income", "1200.00", None),
        ("Autres produits (ressources propres, autres financements)", "income", "1000.00", None),
    ]
    # Whoever sees the file sees its report; the other holder does not.
    for user in ("chair", "admin", "caf1", "dep1", "msa1"):
        api.ok(api.get(user, REPORT.format(id=file_id)))
    assert api.get("other", REPORT.format(id=file_id)).status_code == 403


def test_the_holder_files_its_report_and_the_last_approval_approves_it(
    api: Any, file_id: int
) -> None:
    path = REPORT.format(id=file_id)
    saved = api.ok(api.put("asso", path, json=figures()))
    assert saved["state"] == "due" and saved["actual_total_cost"] == "5800.00"
    salaries = saved["lines"][0]
    assert (salaries["gap"], salaries["gap_percent"]) == ("-100.00", "-2.5")
    assert saved["activity"] == {"parents": 42, "children": 30, "sessions": 18}

    submitted = api.ok(api.post("asso", path + "/submit"))
    assert (submitted["state"], submitted["round"]) == ("submitted", 1)
    assert submitted["pending"] == ["caf", "departement"]
    # Filed: the holder may no longer change it.
    api.refused(409, "asso", "PUT", path, json=figures(), watch=[file_id])

    first = api.ok(
        api.post("caf1", path + "/reviews", json={"funder": "caf", "outcome": "approved"})
    )
    assert (first["state"], first["pending"]) == ("submitted", ["departement"])
    again = api.post("caf2", path + "/reviews", json={"funder": "caf", "outcome": "approved"})
    assert again.status_code == 409, again.text  # the Caf gave its review of this version

    last = api.ok(
        api.post(
            "dep1",
            path + "/reviews",
            json={
                "funder": "departement",
                "outcome": "approved",
                "comment": "Une séance de moins que prévu.",
                "reduction": "50.00",
            },
        )
    )
    assert last["state"] == "approved" and last["approved_at"]
    assert [(r["funder"], r["outcome"]) for r in last["reviews"]] == [
        ("caf", "approved"),
        ("departement", "approved"),
    ]
    assert last["reviews"][1]["reduction"] == "50.00"
    assert last["reviews"][1]["reduction_reason"] == "Une séance de moins que prévu."
    # The last approval settled the file in the same transaction (DESIGN §10).
    assert api.application(file_id)["state"] == "settled"
    with api.db.reading() as session:
        steps = session.exec(
            select(Event.action, Event.to_state)
            .where(Event.entity == "report", Event.application_id == file_id)
            .order_by(col(Event.id))
        ).all()
    assert [tuple(s) for s in steps] == [
        ("report_open", "due"),
        ("report_save", None),
        ("submit", "submitted"),
        ("approve", "submitted"),
        ("approve", "approved"),
    ]


def test_a_funder_hands_the_report_back_with_a_reason_and_every_funder_reviews_it_again(
    api: Any, file_id: int
) -> None:
    path = REPORT.format(id=file_id)
    api.ok(api.put("asso", path, json=figures()))
    assert api.queued("report_submitted") == []  # saved, not yet submitted
    api.ok(api.post("asso", path + "/submit"))
    # Each funder that reviews it is told: its members and its address, no one else.
    submitted = api.queued("report_submitted")
    assert {m.recipient for m in submitted} == {
        "caf1@example.org",
        "caf2@example.org",
        "caf@example.org",
        "dep1@example.org",
        "departement@example.org",
    }
    assert all("Compte rendu financier à examiner" in m.subject for m in submitted)
    api.ok(api.post("caf1", path + "/reviews", json={"funder": "caf", "outcome": "approved"}))
    # A revision needs its reason.
    api.invalid(
        "comment",
        "dep1",
        "POST",
        path + "/reviews",
        json={"funder": "departement", "outcome": "revision"},
        watch=[file_id],
    )
    back = api.ok(
        api.post(
            "dep1",
            path + "/reviews",
            json={
                "funder": "departement",
                "outcome": "revision",
                "comment": "Joignez le détail des charges de personnel.",
            },
        )
    )
    assert back["state"] == "revision_requested" and back["state_label"] == "À compléter"
    # The holder is told who asks and why.
    (revision,) = api.queued("report_revision")
    assert revision.recipient == "asso@example.org"
    assert "Département de l'Isère vous demande de compléter" in revision.body_text
    assert "Motif : Joignez le détail des charges de personnel." in revision.body_text
    # Handed back: the holder corrects it and submits it again; both funders review anew.
    api.ok(api.put("asso", path, json=figures(narrative="Détail des salaires ajouté.")))
    again = api.ok(api.post("asso", path + "/submit"))
    assert (again["state"], again["round"], again["pending"]) == (
        "submitted",
        2,
        ["caf", "departement"],
    )
    api.ok(
        api.post("dep1", path + "/reviews", json={"funder": "departement", "outcome": "approved"})
    )
    done = api.ok(
        api.post("caf1", path + "/reviews", json={"funder": "caf", "outcome": "approved"})
    )
    assert done["state"] == "approved"


def test_bad_figures_are_refused_naming_the_field_and_change_nothing(
    api: Any, file_id: int
) -> None:
    path = REPORT.format(id=file_id)
    watch = [file_id]
    before = api.ok(api.get("asso", path))
    # The charges must add up to the actual total cost.
    response = api.invalid(
        "lines", "asso", "PUT", path, json=figures(actual_total_cost="6000.00"), watch=watch
    )
    assert "5 800,00" in response.json()["detail"].replace("\u202f", " ")
    api.invalid(
        "actual_total_cost",
        "asso",
        "PUT",
        path,
        json=figures(actual_total_cost="-1.00"),
        watch=watch,
    )
    lines = figures()["lines"]
    lines[0]["actual"] = "3900.005"
    api.invalid("lines.0.actual", "asso", "PUT", path, json=figures(lines=lines), watch=watch)
    api.invalid(
        "actual_other_resources",
        "asso",
        "PUT",
        path,
        json=figures(actual_other_resources="12.345"),
        watch=watch,
    )
    # Submitting a report with no figures names what is missing.
    api.invalid("actual_total_cost", "asso", "POST", path + "/submit", watch=watch)
    assert api.ok(api.get("asso", path)) == before


def test_only_the_holder_writes_and_only_a_funder_with_a_granted_share_reviews(
    api: Any, file_id: int
) -> None:
    path = REPORT.format(id=file_id)
    watch = [file_id]
    for user in ("caf1", "chair", "other"):
        api.refused(403, user, "PUT", path, json=figures(), watch=watch)
        api.refused(403, user, "POST", path + "/submit", watch=watch)
    api.ok(api.put("asso", path, json=figures()))
    api.ok(api.post("asso", path + "/submit"))
    review = {"funder": "msa", "outcome": "approved"}
    api.refused(403, "msa1", "POST", path + "/reviews", json=review, watch=watch)  # refused share
    api.refused(403, "caf1", "POST", path + "/reviews", json=review, watch=watch)  # not the MSA
    api.refused(403, "asso", "POST", path + "/reviews", json=review, watch=watch)
    # A reduction beyond the share granted is refused.
    too_much = {
        "funder": "caf",
        "outcome": "approved",
        "comment": "Non conforme",
        "reduction": "3000.01",
    }
    api.invalid("reduction", "caf1", "POST", path + "/reviews", json=too_much, watch=watch)
    assert api.ok(api.get("asso", path))["state"] == "submitted"


def test_the_holder_is_reminded_before_on_and_after_the_due_date_each_once(
    api: Any, file_id: int
) -> None:
    settings = api.settings

    def sweep(*moment: int) -> int:
        with at(datetime(*moment, tzinfo=UTC)):  # type: ignore[misc]
            return remind_reports(api.db, settings)

    # Due 15 June 2028; reminders at 08:00 Paris time (06:00 UTC in summer).
    assert sweep(2028, 5, 16, 5, 59) == 0
    assert sweep(2028, 5, 16, 6, 0) == 1  # 30 days before
    assert sweep(2028, 5, 20) == 0
    assert sweep(2028, 6, 8, 6) == 1  # 7 days before
    assert sweep(2028, 6, 15, 6) == 1  # on the day
    assert sweep(2028, 6, 15, 20) == 0
    assert sweep(2028, 6, 22, 6) == 1  # 7 days late
    assert sweep(2028, 6, 23, 6) == 0
    with api.db.reading() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "report_reminder")
            .order_by(col(OutboxMessage.id))
        ).all()
    assert [r.recipient for r in rows] == ["asso@example.org"] * 4
    texts = [r.body_text.replace("\u202f", " ").replace("\u00a0", " ") for r in rows]
    assert "au plus tard le 15 juin 2028, dans 30 jours" in texts[0]
    assert "attendu aujourd'hui, 15 juin 2028" in texts[2]
    assert "était attendu le 15 juin 2028, il y a 7 jours" in texts[3]
    assert "Caf de l'Isère : 3 000,00 €" in texts[0] and "MSA" not in texts[0]
    # Once submitted, nothing more.
    api.ok(api.put("asso", REPORT.format(id=file_id), json=figures()))
    api.ok(api.post("asso", REPORT.format(id=file_id) + "/submit"))
    assert sweep(2028, 7, 20, 6) == 0
