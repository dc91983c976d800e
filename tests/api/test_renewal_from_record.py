"""Rule G4 from the record (DESIGN §10): a renewal is known from the database, and fails naming
the earlier application until that application's final report is filed."""

from __future__ import annotations

from typing import Any

from tests.api.test_plugin_package import page

LAST_YEAR = {"start": "2026-01-05", "end": "2026-06-30"}
THIS_YEAR = {"start": "2027-02-01", "end": "2027-12-15"}


def g4(application: dict[str, Any]) -> dict[str, Any]:
    results = application["eligibility"]["results"]
    return dict(next(r for r in results if r["rule"] == "G4"))


def test_a_renewal_fails_naming_the_earlier_file_until_its_report_is_filed(api: Any) -> None:
    call = api.call()
    earlier = api.eligible(call["id"], api.body(period=LAST_YEAR), title="Café des parents 2026")
    meeting = api.open_session(call["id"], [earlier["id"]])
    api.ok(api.decide(meeting["id"], earlier["id"], "caf", "granted", "3000.00"), 201)
    for funder in ("departement", "etat", "msa"):
        api.ok(api.decide(meeting["id"], earlier["id"], funder, "refused"), 201)
    api.move(meeting["id"], "close")
    assert api.application(earlier["id"])["state"] == "notified"
    reference = earlier["reference"]

    # The holder declares a first application: the record knows better.
    draft = api.draft(call["id"], api.body(period=THIS_YEAR, renewal=False))
    form = page(api, "asso", f"/dossiers/{draft['id']}/modifier")
    assert "Compte rendu financier manquant" in form and reference in form

    refused = api.submitted(call["id"], api.body(period=THIS_YEAR, renewal=False))
    assert refused["state"] == "ineligible"
    assert "G4" in refused["eligibility"]["failed"]
    assert reference in g4(refused)["message"]
    assert refused["application"]["renewal"] is True
    assert refused["application"]["previous_report_filed"] is False

    # The earlier report filed (approved or not), the next application passes G4.
    report = {
        "actual_total_cost": "6000.00",
        "actual_other_resources": "1000.00",
        "lines": [
            {"label": "Animation", "kind": "charge", "forecast": "6000.00", "actual": "6000.00"}
        ],
        "activity": {"parents": 30, "children": 20, "sessions": 10},
        "narrative": "Action réalisée.",
    }
    api.ok(api.put("asso", f"/applications/{earlier['id']}/report", json=report))
    api.ok(api.post("asso", f"/applications/{earlier['id']}/report/submit"))
    form = page(api, "asso", f"/dossiers/{draft['id']}/modifier")
    assert "Compte rendu financier manquant" not in form

    passed = api.submitted(call["id"], api.body(period=THIS_YEAR, renewal=False))
    assert "G4" not in passed["eligibility"]["failed"]
    assert g4(passed)["passed"] is True and reference in g4(passed)["message"]
    assert passed["application"]["previous_report_filed"] is True


def test_without_an_earlier_grant_the_declared_facts_count(api: Any) -> None:
    call = api.call()
    declared = api.submitted(
        call["id"], api.body(period=THIS_YEAR, renewal=True, previous_report_filed=False)
    )
    assert "G4" in declared["eligibility"]["failed"]
    assert "subvention précédente" in g4(declared)["message"]
