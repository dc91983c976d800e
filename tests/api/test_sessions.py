"""The session screen: every plan side by side with its flags, each funder's envelope use, and
an agenda that only takes the files it should."""

from __future__ import annotations

from typing import Any


def envelopes(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each funder's envelope of the session's (one) call, by funder code."""
    assert {e["call_id"] for e in view["envelopes"]} <= {view["call_id"]}
    return {e["funder"]: {k: v for k, v in e.items() if k != "call_id"} for e in view["envelopes"]}


def test_the_session_view_shows_each_plan_its_flags_and_the_envelope_use(api: Any) -> None:
    call = api.call()
    small = api.eligible(call["id"])
    big_body = api.body(
        budget={"total_cost": "60000.00", "investment_costs": "0", "other_resources": "10000.00"},
        requests={"caf": "30000.00", "departement": "10000.00", "msa": "10000.00"},
    )
    big = api.eligible(call["id"], big_body, user="other", title="Grand projet")
    meeting = api.session(call["id"])
    view = api.agenda(meeting["id"], [big["id"], small["id"]])

    assert view["state"] == "planned"
    assert [item["id"] for item in view["agenda"]] == [big["id"], small["id"]]
    plans = {item["id"]: item for item in view["agenda"]}
    assert plans[small["id"]]["flags"] == {"financing_gap": "600.00"}
    # 30 000 € from the CAF is above the 23 000 € threshold: a convention is needed.
    # The Département is capped at 5 000 €, the MSA (by hand) still counts for its request.
    assert plans[big["id"]]["flags"] == {
        "financing_gap": "5000.00",
        "convention_required": ["caf"],
    }
    for item in view["agenda"]:
        assert "trace" not in item
        assert item["state"] == "scheduled"
        assert {s["funder"] for s in item["shares"]} <= {"caf", "departement", "etat", "msa"}
    assert envelopes(view) == {
        "caf": {
            "funder": "caf",
            "name": "Caf de l'Isère",
            "envelope": "50000.00",
            "granted": "0.00",
            "proposed": "33000.00",
            "envelope_exceeded": None,
        },
        "departement": {
            "funder": "departement",
            "name": "Département de l'Isère",
            "envelope": "20000.00",
            "granted": "0.00",
            "proposed": "6200.00",
            "envelope_exceeded": None,
        },
        "etat": {
            "funder": "etat",
            "name": "Préfecture de l'Isère",
            "envelope": "10000.00",
            "granted": "0.00",
            "proposed": "0.00",
            "envelope_exceeded": None,
        },
        "msa": {
            "funder": "msa",
            "name": "MSA Alpes du Nord",
            "envelope": "5000.00",
            "granted": "0.00",
            "proposed": "0.00",
            "envelope_exceeded": None,
        },
    }
    assert view["envelope_exceeded"] == []

    # In session the decisions move amounts from proposed to granted, and the plans follow.
    api.move(meeting["id"], "convene")
    api.move(meeting["id"], "open")
    api.ok(api.decide(meeting["id"], big["id"], "caf", "granted", "25000.00"), 201)
    api.ok(api.decide(meeting["id"], big["id"], "msa", "granted", "4000.00"), 201)
    view = api.ok(api.get("dep1", f"/sessions/{meeting['id']}"))  # a funder sees it too
    use = envelopes(view)
    assert (use["caf"]["granted"], use["caf"]["proposed"]) == ("25000.00", "3000.00")
    assert (use["msa"]["granted"], use["msa"]["proposed"]) == ("4000.00", "0.00")
    plans = {item["id"]: item for item in view["agenda"]}
    # 50 000 − (25 000 + 5 000 + 4 000) = 16 000 still to find.
    assert plans[big["id"]]["flags"] == {
        "financing_gap": "16000.00",
        "convention_required": ["caf"],
    }


def test_the_view_flags_an_envelope_that_granted_and_proposed_amounts_exceed(api: Any) -> None:
    call = api.call({"caf": "5000.00", "departement": "20000.00", "msa": "150.00", "etat": "0"})
    first = api.eligible(call["id"])
    second = api.eligible(call["id"], user="other", title="Deuxième café")
    # The MSA proposes by hand, above its small envelope.
    api.ok(
        api.post(
            "msa1", f"/applications/{first['id']}/shares/msa/propose", json={"amount": "200.00"}
        )
    )
    meeting = api.session(call["id"])
    view = api.agenda(meeting["id"], [first["id"], second["id"]])
    use = envelopes(view)
    assert (use["caf"]["proposed"], use["caf"]["envelope_exceeded"]) == ("6000.00", "1000.00")
    assert use["msa"]["envelope_exceeded"] == "50.00"
    assert use["departement"]["envelope_exceeded"] is None
    assert sorted(view["envelope_exceeded"], key=lambda e: e["funder"]) == [
        {"funder": "caf", "excess": "1000.00"},
        {"funder": "msa", "excess": "50.00"},
    ]

    # Granting one file and refusing the other brings the CAF back within its envelope.
    api.move(meeting["id"], "convene")
    api.move(meeting["id"], "open")
    api.ok(api.decide(meeting["id"], first["id"], "caf", "granted", "3000.00"), 201)
    view = api.ok(api.get("chair", f"/sessions/{meeting['id']}"))
    assert envelopes(view)["caf"]["envelope_exceeded"] == "1000.00"  # 3 000 granted + 3 000
    api.ok(api.decide(meeting["id"], second["id"], "caf", "refused"), 201)
    view = api.ok(api.get("chair", f"/sessions/{meeting['id']}"))
    use = envelopes(view)
    assert (use["caf"]["granted"], use["caf"]["proposed"]) == ("3000.00", "0.00")
    assert use["caf"]["envelope_exceeded"] is None
    assert [e["funder"] for e in view["envelope_exceeded"]] == ["msa"]


def test_the_agenda_takes_only_submitted_files_of_the_sessions_call(api: Any) -> None:
    call = api.call()
    other_call = api.call(title="Appel Reaap bis")
    eligible = api.eligible(call["id"])
    ineligible = api.ineligible(call["id"], user="other")
    draft = api.draft(call["id"], title="Brouillon")
    elsewhere = api.eligible(other_call["id"], title="Autre appel")
    withdrawn = api.eligible(call["id"], title="Retirée")
    api.ok(api.post("asso", f"/applications/{withdrawn['id']}/withdraw"))
    meeting = api.session(call["id"])
    path = f"/sessions/{meeting['id']}/agenda"
    watch = [eligible["id"], ineligible["id"], draft["id"], elsewhere["id"]]

    for position, refused in (
        (1, draft["id"]),
        (1, elsewhere["id"]),
        (1, withdrawn["id"]),
        (1, 9999),
        (0, draft["id"]),
    ):
        ids = [eligible["id"], refused] if position == 1 else [refused, eligible["id"]]
        response = api.invalid(
            f"application_ids.{position}",
            "chair",
            "PUT",
            path,
            json={"application_ids": ids},
            watch=watch,
        )
        assert str(refused) in response.json()["detail"]
    # Every wrong entry is named, once.
    response = api.invalid(
        "application_ids.0",
        "chair",
        "PUT",
        path,
        json={"application_ids": [draft["id"], eligible["id"], elsewhere["id"]]},
        watch=watch,
    )
    assert [e["field"] for e in response.json()["errors"]] == [
        "application_ids.0",
        "application_ids.2",
    ]
    assert api.ok(api.get("chair", f"/sessions/{meeting['id']}"))["agenda"] == []

    # Eligible and ineligible files go on; a file on one agenda cannot go on another.
    view = api.agenda(meeting["id"], [ineligible["id"], eligible["id"]])
    assert [item["id"] for item in view["agenda"]] == [ineligible["id"], eligible["id"]]
    second = api.session(call["id"], "Autre séance")
    api.invalid(
        "application_ids.0",
        "chair",
        "PUT",
        f"/sessions/{second['id']}/agenda",
        json={"application_ids": [eligible["id"]]},
        watch=watch,
    )
    # Reordering keeps the files scheduled; dropping one puts it back where it was.
    view = api.agenda(meeting["id"], [eligible["id"]])
    assert [item["id"] for item in view["agenda"]] == [eligible["id"]]
    assert api.application(ineligible["id"])["state"] == "ineligible"
    assert api.application(eligible["id"])["state"] == "scheduled"
    assert api.agenda(second["id"], [ineligible["id"]])["agenda"][0]["id"] == ineligible["id"]


def test_the_session_moves_only_along_its_workflow(api: Any) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    meeting = api.session(call["id"])
    base = f"/sessions/{meeting['id']}"
    watch = [application["id"]]
    api.agenda(meeting["id"], [application["id"]])
    decision = {
        "application_id": application["id"],
        "funder": "caf",
        "outcome": "granted",
        "amount": "3000.00",
    }
    for action in ("open", "close"):
        api.refused(409, "chair", "POST", f"{base}/{action}", watch=watch)
    api.refused(409, "caf1", "POST", f"{base}/decisions", json=decision, watch=watch)
    api.move(meeting["id"], "convene")
    api.refused(409, "chair", "POST", f"{base}/convene", watch=watch)
    api.refused(409, "caf1", "POST", f"{base}/decisions", json=decision, watch=watch)
    api.refused(409, "chair", "GET", f"{base}/minutes")  # written at the close
    api.move(meeting["id"], "open")
    # The agenda is fixed once the session is open, and it cannot be cancelled any more.
    api.refused(409, "chair", "PUT", f"{base}/agenda", json={"application_ids": []}, watch=watch)
    api.refused(409, "chair", "POST", f"{base}/cancel", watch=watch)
    api.ok(api.post("caf1", f"{base}/decisions", json=decision), 201)
    for funder in ("departement", "etat", "msa"):
        api.ok(api.decide(meeting["id"], application["id"], funder, "refused"), 201)
    api.move(meeting["id"], "close")
    for action in ("open", "close", "cancel", "convene"):
        api.refused(409, "chair", "POST", f"{base}/{action}", watch=watch)
    api.refused(
        409, "msa1", "POST", f"{base}/decisions", json={**decision, "funder": "msa"}, watch=watch
    )
    api.refused(404, "chair", "GET", "/sessions/9999")
    sessions = api.ok(api.get("chair", "/sessions"))
    assert [(s["id"], s["state"]) for s in sessions] == [(meeting["id"], "closed")]
