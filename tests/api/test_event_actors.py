"""The audit trail says who acted, as the body they act for (never a caseworker's name)."""

from __future__ import annotations

from tests.conftest import minimal_pdf

KINDS = [
    "cerfa_12156",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
]


def test_events_name_the_organisation_or_funder_that_acted(seeded, draft_application):
    client = seeded.client
    base = f"/api/v1/applications/{draft_application}"
    for kind in KINDS:
        uploaded = client.post(
            f"{base}/documents",
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", minimal_pdf(), "application/pdf")},
            headers=seeded.headers["asso"],
        )
        assert uploaded.status_code == 201, uploaded.text
    submitted = client.post(f"{base}/submit", headers=seeded.headers["asso"])
    assert submitted.json()["state"] == "eligible", submitted.text
    proposed = client.post(
        f"{base}/shares/msa/propose", json={"amount": "400.00"}, headers=seeded.headers["msa1"]
    )
    assert proposed.status_code == 200, proposed.text

    events = client.get(f"{base}/events", headers=seeded.headers["asso"]).json()
    actors = [(e["entity"], e["action"], e["actor"]) for e in events]
    assert ("application", "create", "Café des parents de l'Abbaye") in actors
    assert ("application", "submit", "Café des parents de l'Abbaye") in actors
    # The first proposals come from the funders' rules, the MSA's from its caseworker.
    assert ("share", "propose", "cofinance (automatique)") in actors
    assert actors[-1] == ("share", "propose", "MSA Alpes du Nord")
    assert all("Msa1" not in str(a) for a in actors)
