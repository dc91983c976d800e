"""An application's whole life through the HTTP API: call, filing, checks, session, letters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

ALL_RULES = {"G1", "G2", "G3", "G4", "G5", "G6", "G7", "G9", *(f"R{n}" for n in range(1, 10))}


def steps(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["entity"], e["action"]) for e in events]


def test_an_application_goes_from_draft_to_notified_through_the_api(api: Any) -> None:
    # The chair prepares and opens the call, each funder with its envelope.
    call = api.call()
    assert {f["funder"]: f["envelope"] for f in call["funders"]} == api.ENVELOPES

    # The holder files its application and attaches the seven documents.
    draft = api.draft(call["id"])
    assert draft["application"]["documents"] == []
    assert {s["funder"]: s["requested"] for s in draft["shares"]} == {
        "caf": "3000.00",
        "departement": "1500.00",
        "etat": "300.00",
        "msa": "200.00",
    }
    api.upload_all(draft["id"])
    documents = api.ok(api.get("asso", f"/applications/{draft['id']}/documents"))
    assert sorted(d["kind"] for d in documents) == sorted(api.KINDS)

    # Submitting twice with the same key: one submission, the same answer.
    first = api.ok(api.submit(draft["id"], key="submit-cafe-1"))
    second = api.ok(api.submit(draft["id"], key="submit-cafe-1"))
    assert second == first
    assert steps(api.events(draft["id"])).count(("application", "submit")) == 1
    again = api.submit(draft["id"], key="submit-cafe-2")
    assert again.status_code == 409, again.text

    application = api.application(draft["id"])
    assert application["state"] == "eligible"
    assert application["reference"] and application["reference"].startswith("REAAP-")
    assert application["submitted_at"] is not None
    eligibility = application["eligibility"]
    assert eligibility["status"] == "eligible"
    assert eligibility["failed"] == []
    assert eligibility["override"] is False
    assert eligibility["reference_date"] == "2027-01-01"
    assert {r["rule"] for r in eligibility["results"]} == ALL_RULES
    assert all(r["passed"] and r["message"] for r in eligibility["results"])
    # The trace explains each number with the parameters and the facts it read.
    trace = application["trace"]
    assert {t["rule"] for t in trace if t["subject"] == "eligibility"} == ALL_RULES
    dep_trace = next(t for t in trace if t.get("rule") == "DEP-REAAP")
    assert {p["name"] for p in dep_trace["parameters"]} >= {
        "departement.reaap.rate",
        "departement.reaap.cap",
    }

    caf, dep, etat, msa = (api.share(application, f) for f in ("caf", "departement", "etat", "msa"))
    assert (caf["state"], caf["proposed"], caf["eligible"]) == ("proposed", "3000.00", True)
    # 20 % of 6 000 €: the Département's rules cap the 1 500 € asked at 1 200 €.
    assert (dep["state"], dep["requested"], dep["proposed"]) == ("proposed", "1500.00", "1200.00")
    assert "1\u202f200,00" in dep["explanation"]
    assert (etat["state"], etat["eligible"], etat["failed"]) == ("requested", False, ["ETAT-2014"])
    assert etat["proposed"] is None
    assert (msa["state"], msa["eligible"], msa["proposed"]) == ("requested", True, None)
    # 6 000 − 1 000 of own resources − (3 000 + 1 200 + 0 + 200 still to decide) = 600.
    assert application["flags"] == {"financing_gap": "600.00"}
    story_after_submit = api.events(draft["id"])

    # The MSA, which has no scale for Reaap, proposes by hand.
    proposed = api.ok(
        api.post(
            "msa1",
            f"/applications/{draft['id']}/shares/msa/propose",
            json={"amount": "150.00", "comment": "Sur le fonds local"},
        )
    )
    msa = api.share(proposed, "msa")
    assert (msa["state"], msa["proposed"], msa["comment"]) == (
        "proposed",
        "150.00",
        "Sur le fonds local",
    )
    assert proposed["flags"] == {"financing_gap": "650.00"}

    # The chair builds the session and convenes it: convocations go out as .eml files.
    meeting = api.session(call["id"])
    on_agenda = api.agenda(meeting["id"], [draft["id"]])
    assert [a["id"] for a in on_agenda["agenda"]] == [draft["id"]]
    assert api.application(draft["id"])["state"] == "scheduled"
    convened = api.move(meeting["id"], "convene")
    assert convened["state"] == "convened"
    convocations = api.emails("convocation")
    recipients = {m["To"] for m in convocations}
    assert {
        "chair@example.org",
        "caf1@example.org",
        "caf2@example.org",
        "dep1@example.org",
        "msa1@example.org",
        "etat1@example.org",
        "caf@example.org",
    } <= recipients
    assert "ville1@example.org" not in recipients  # Grenoble takes no part in this call
    assert "asso@example.org" not in recipients
    for message in convocations:
        attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        assert len(attachments) == 2  # the convocation and the session pack
        assert all(a.get_payload(decode=True).startswith(b"%PDF-") for a in attachments)
    assert api.move(meeting["id"], "open")["state"] == "open"

    # In session each funder decides its own share.
    decided = api.ok(
        api.decide(
            meeting["id"],
            draft["id"],
            "caf",
            "granted",
            "3000.00",
            conditions="Bilan qualitatif attendu",
        ),
        201,
    )
    assert api.share(decided, "caf")["state"] == "granted"
    api.ok(api.decide(meeting["id"], draft["id"], "departement", "granted", "1200.00"), 201)
    api.ok(api.decide(meeting["id"], draft["id"], "etat", "refused"), 201)

    # Not while the MSA has not decided: the answer names what is missing.
    refused = api.post("chair", f"/sessions/{meeting['id']}/close")
    assert refused.status_code == 409, refused.text
    assert f"{application['reference']}/msa" in refused.json()["detail"]
    assert "/caf" not in refused.json()["detail"]
    assert api.get("chair", f"/sessions/{meeting['id']}").json()["state"] == "open"

    api.ok(api.decide(meeting["id"], draft["id"], "msa", "granted", "150.00"), 201)
    closed = api.move(meeting["id"], "close")
    assert closed["state"] == "closed"

    final = api.application(draft["id"])
    assert final["state"] == "notified"
    assert {s["funder"]: (s["state"], s["granted"]) for s in final["shares"]} == {
        "caf": ("granted", "3000.00"),
        "departement": ("granted", "1200.00"),
        "etat": ("refused", None),
        "msa": ("granted", "150.00"),
    }
    assert api.share(final, "caf")["conditions"] == "Bilan qualitatif attendu"

    # The holder finds its decision letter, and only that one.
    letters = api.ok(api.get("asso", f"/applications/{draft['id']}/letters"))
    assert [letter["kind"] for letter in letters] == ["decision"]
    download = api.get("asso", letters[0]["url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    text = api.pdf_text(download.content)
    for expected in (
        application["reference"],
        "Café des parents",
        "Caf de l'Isère",
        "Département de l'Isère",
        "MSA Alpes du Nord",
        "Préfecture de l'Isère",
        "3 000,00 €",
        "1 200,00 €",
        "150,00 €",
        "4 350,00 €",  # total granted
        "Acompte : 2 100,00 € — Solde : 900,00 €",  # 70 % advance of the CAF's 3 000 €
        "Acompte : 840,00 € — Solde : 360,00 €",
        "ETAT-2014",
        "Bilan qualitatif attendu",
        "recours gracieux",
        "recours contentieux",
        "deux mois",
    ):
        assert expected in text, expected

    # The minutes: the file, its plan and what the session did to each envelope.
    minutes = api.get("chair", f"/sessions/{meeting['id']}/minutes")
    assert minutes.status_code == 200
    assert minutes.headers["content-type"] == "application/pdf"
    text = api.pdf_text(minutes.content)
    for expected in (
        application["reference"],
        "Café des parents",
        "Enveloppes par financeur",
        "50 000,00 €",  # the CAF's envelope
        "20 000,00 €",
        "Plan de financement incomplet : il manque 650,00 €.",
    ):
        assert expected in text, expected

    # The decision email carries the letter.
    decisions = [m for m in api.emails("decision") if m["To"] == "asso@example.org"]
    assert len(decisions) == 1
    assert (
        application["reference"]
        in decisions[0]["Subject"] + decisions[0].get_body(("plain",)).get_content()
    )
    attached = [p for p in decisions[0].walk() if p.get_content_type() == "application/pdf"]
    assert len(attached) == 1
    assert "4 350,00 €" in api.pdf_text(attached[0].get_payload(decode=True))

    # The events: append-only, in order, the whole story.
    story = api.events(draft["id"])
    assert story[: len(story_after_submit)] == story_after_submit
    assert [e["id"] for e in story] == sorted(e["id"] for e in story)
    assert [e["created_at"] for e in story] == sorted(e["created_at"] for e in story)
    assert steps(story) == [
        ("application", "create"),
        *[("application", "add_document")] * len(api.KINDS),
        ("application", "submit"),
        ("share", "propose"),  # caf, by its rules
        ("share", "propose"),  # departement, by its rules
        ("share", "propose"),  # msa, by hand
        ("application", "schedule"),
        ("share", "grant"),
        ("share", "grant"),
        ("share", "refuse"),
        ("share", "grant"),
        ("application", "decide"),
        ("application", "notify"),
        # What the notification opens: per granted share (caf, departement, msa) its agreement,
        # a notification in force, with its advance and balance; then the final report.
        *[("agreement", "agreement_open"), ("payment", "open"), ("payment", "open")] * 3,
        ("report", "report_open"),
    ]
    states = [(e["from_state"], e["to_state"]) for e in story if e["entity"] == "application"]
    assert [s for s in states if s != (None, None)] == [
        (None, "draft"),
        ("draft", "eligible"),
        ("eligible", "scheduled"),
        ("scheduled", "decided"),
        ("decided", "notified"),
    ]
    by_rules = [e for e in story if e["action"] == "propose"]
    assert [e["data"]["by"] for e in by_rules] == ["rules", "rules", "hand"]
    assert [e["data"]["amount"] for e in by_rules] == ["3000.00", "1200.00", "150.00"]


def test_the_shares_of_an_ineligible_file_on_the_agenda_are_refused_at_close(api: Any) -> None:
    call = api.call()
    good = api.eligible(call["id"])
    bad = api.ineligible(call["id"], user="other", title="Séances individuelles")
    assert {s["eligible"] for s in bad["shares"]} == {False}
    assert {s["proposed"] for s in bad["shares"]} == {None}
    meeting = api.open_session(call["id"], [good["id"], bad["id"]])

    # Nobody decides the shares of an ineligible file: the close refuses them.
    refused = api.decide(meeting["id"], bad["id"], "caf", "granted", "100.00")
    assert refused.status_code == 409, refused.text
    for funder, amount in (("caf", "3000.00"), ("departement", "1200.00"), ("msa", "200.00")):
        api.ok(api.decide(meeting["id"], good["id"], funder, "granted", amount), 201)
    api.ok(api.decide(meeting["id"], good["id"], "etat", "refused"), 201)
    api.move(meeting["id"], "close")

    after = api.application(bad["id"])
    assert after["state"] == "notified"
    assert {s["state"] for s in after["shares"]} == {"refused"}
    assert {s["granted"] for s in after["shares"]} == {None}
    refusals = [e for e in api.events(bad["id"]) if e["action"] == "refuse_ineligible"]
    assert len(refusals) == 4
    assert {e["actor_id"] for e in refusals} == {None}  # the system, at close
    assert {tuple(sorted(e["data"]["failed"])) for e in refusals} == {("R3", "R4")}

    letters = api.ok(api.get("other", f"/applications/{bad['id']}/letters"))
    assert [letter["kind"] for letter in letters] == ["decision"]
    text = api.pdf_text(api.get("other", f"/letters/{letters[0]['id']}").content)
    assert "Conditions communes du dispositif non remplies" in text
    assert "R3 :" in text and "R4 :" in text
    assert "Refusée" in text
    assert "0,00 €" in text  # nothing granted
    assert api.application(good["id"])["state"] == "notified"


def test_a_deferred_share_sends_the_application_back_to_eligible_keeping_the_others(
    api: Any,
) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    meeting = api.open_session(call["id"], [application["id"]])
    api.ok(api.decide(meeting["id"], application["id"], "caf", "granted", "3000.00"), 201)
    api.ok(api.decide(meeting["id"], application["id"], "departement", "deferred"), 201)
    api.ok(api.decide(meeting["id"], application["id"], "etat", "refused"), 201)
    api.ok(api.decide(meeting["id"], application["id"], "msa", "granted", "200.00"), 201)
    api.move(meeting["id"], "close")

    back = api.application(application["id"])
    assert back["state"] == "eligible"
    assert {s["funder"]: (s["state"], s["granted"]) for s in back["shares"]} == {
        "caf": ("granted", "3000.00"),
        "departement": ("deferred", None),
        "etat": ("refused", None),
        "msa": ("granted", "200.00"),
    }
    # The holder is told what was decided and what waits (one letter, its email says deferred).
    (deferral,) = api.ok(api.get("asso", f"/applications/{application['id']}/letters"))
    text = api.pdf_text(api.get("asso", f"/letters/{deferral['id']}").content)
    assert "Décision ajournée" in text and "3 000,00 €" in text
    defer = [e for e in api.events(application["id"]) if e["action"] == "defer"]
    assert [(e["entity"], e["from_state"], e["to_state"]) for e in defer] == [
        ("share", "proposed", "deferred"),
        ("application", "scheduled", "eligible"),
    ]

    # A decided share is final, even in the next session; the deferred one is decided there.
    later = api.open_session(call["id"], [application["id"]])
    again = api.decide(later["id"], application["id"], "caf", "refused")
    assert again.status_code == 409, again.text
    api.ok(api.decide(later["id"], application["id"], "departement", "granted", "1000.00"), 201)
    api.move(later["id"], "close")
    final = api.application(application["id"])
    assert final["state"] == "notified"
    assert {s["funder"]: s["granted"] for s in final["shares"]} == {
        "caf": "3000.00",
        "departement": "1000.00",
        "etat": None,
        "msa": "200.00",
    }
    letters = api.ok(api.get("asso", f"/applications/{application['id']}/letters"))
    decision = [x for x in letters if x["id"] != deferral["id"]]
    assert len(letters) == 2 and len(decision) == 1
    text = api.pdf_text(api.get("asso", f"/letters/{decision[0]['id']}").content)
    assert "1 000,00 €" in text and "3 000,00 €" in text


def test_an_incomplete_file_is_completed_by_its_holder_and_submitted_again(api: Any) -> None:
    call = api.call()
    missing = [k for k in api.KINDS if k != "rib"]
    application = api.submitted(call["id"], kinds=missing)
    assert application["state"] == "incomplete"
    assert application["eligibility"]["failed"] == ["G3"]
    assert {s["state"] for s in application["shares"]} == {"requested"}

    api.ok(api.upload(application["id"], "rib"), 201)
    resubmitted = api.ok(api.submit(application["id"]))
    assert resubmitted["state"] == "eligible"
    assert api.share(resubmitted, "caf")["proposed"] == "3000.00"
    submits = [e for e in api.events(application["id"]) if e["action"] == "submit"]
    assert [(e["from_state"], e["to_state"]) for e in submits] == [
        ("draft", "incomplete"),
        ("incomplete", "eligible"),
    ]


def test_the_chair_asks_for_documents_and_the_holder_uploads_them_and_resubmits(
    api: Any,
) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    path = f"/applications/{application['id']}/request-documents"
    before = api.counts()
    for body in ({}, {"reason": ""}, None):
        response = api.post("chair", path, json=body)
        assert response.status_code == 422, response.text
    assert api.counts() == before

    reason = "Le budget prévisionnel n'est pas signé."
    asked = api.ok(api.post("chair", path, json={"reason": reason}))
    assert asked["state"] == "incomplete"
    assert asked["eligibility"]["status"] == "incomplete"
    event = api.events(application["id"])[-1]
    assert (event["action"], event["from_state"], event["to_state"], event["reason"]) == (
        "request_documents",
        "eligible",
        "incomplete",
        reason,
    )

    # The holder may edit and upload again; the new submission runs the checks again.
    api.ok(api.upload(application["id"], "budget", filename="budget-signe.pdf"), 201)
    patched = api.ok(
        api.patch("asso", f"/applications/{application['id']}", json={"title": "Café (v2)"})
    )
    assert patched["title"] == "Café (v2)"
    again = api.ok(api.submit(application["id"]))
    assert again["state"] == "eligible"
    assert again["eligibility"]["status"] == "eligible"
    assert [e["action"] for e in api.events(application["id"])][-6:] == [
        "request_documents",
        "add_document",
        "update",
        "submit",
        "propose",
        "propose",
    ]


def test_the_chair_overrides_an_ineligibility_with_a_reason_and_the_funder_rules_propose(
    api: Any,
) -> None:
    call = api.call()
    application = api.ineligible(call["id"])
    path = f"/applications/{application['id']}/override-eligibility"
    before = api.counts()
    for body in ({}, {"reason": "   "}):
        response = api.post("chair", path, json=body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "reason"
    assert api.counts() == before

    reason = "Séances collectives en réalité : erreur de saisie du porteur."
    overridden = api.ok(api.post("chair", path, json={"reason": reason}))
    assert overridden["state"] == "eligible"
    eligibility = overridden["eligibility"]
    assert eligibility["status"] == "eligible"
    assert eligibility["rules_status"] == "ineligible"  # what the rules said stays visible
    assert set(eligibility["failed"]) == {"R3", "R4"}
    assert (eligibility["override"], eligibility["override_reason"]) == (True, reason)
    shares = {s["funder"]: s for s in overridden["shares"]}
    assert (shares["caf"]["state"], shares["caf"]["proposed"]) == ("proposed", "3000.00")
    assert shares["departement"]["proposed"] == "1200.00"
    assert shares["etat"]["failed"] == ["ETAT-2014"]

    story = api.events(application["id"])
    override = next(e for e in story if e["action"] == "override_eligibility")
    assert (override["from_state"], override["to_state"], override["reason"]) == (
        "ineligible",
        "eligible",
        reason,
    )
    assert [e["action"] for e in story[-3:]] == ["override_eligibility", "propose", "propose"]
    # A second override has nothing to override.
    assert api.post("chair", path, json={"reason": reason}).status_code == 409


def test_the_holder_withdraws_an_application(api: Any) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    withdrawn = api.ok(
        api.post(
            "asso",
            f"/applications/{application['id']}/withdraw",
            json={"reason": "Action reportée"},
        )
    )
    assert withdrawn["state"] == "withdrawn"
    event = api.events(application["id"])[-1]
    assert (event["action"], event["to_state"], event["reason"]) == (
        "withdraw",
        "withdrawn",
        "Action reportée",
    )
    meeting = api.session(call["id"])
    before = api.counts()
    assert api.post("asso", f"/applications/{application['id']}/withdraw").status_code == 409
    assert api.submit(application["id"]).status_code == 409
    response = api.put(
        "chair", f"/sessions/{meeting['id']}/agenda", json={"application_ids": [application["id"]]}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "application_ids.0"
    assert api.counts() == before
    # A withdrawn file no longer weighs on the envelopes.
    view = api.ok(api.get("chair", f"/sessions/{meeting['id']}"))
    assert {e["funder"]: e["proposed"] for e in view["envelopes"]}["caf"] == "0.00"


def test_a_submission_after_the_deadline_is_refused_and_changes_nothing(api: Any) -> None:
    now = datetime.now(UTC)
    call = api.call(
        opens_at=(now - timedelta(days=30)).isoformat(),
        closes_at=(now - timedelta(minutes=1)).isoformat(),
    )
    assert call["state"] == "open"  # the scheduler has not closed it yet
    application = api.draft(call["id"])
    api.upload_all(application["id"])
    before, seen = api.counts(), api.application(application["id"])
    response = api.submit(application["id"], key="late")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "deadline_passed"
    assert api.counts() == before
    assert api.application(application["id"]) == seen

    # Nor once the call is closed, whatever its dates.
    other = api.call()
    late = api.draft(other["id"])
    api.upload_all(late["id"])
    api.ok(api.post("chair", f"/calls/{other['id']}/close"))
    before = api.counts()
    assert api.submit(late["id"]).status_code == 409
    assert api.counts() == before
    assert api.application(late["id"])["state"] == "draft"


def test_cancelling_a_session_takes_its_files_off_the_agenda(api: Any) -> None:
    call = api.call()
    good = api.eligible(call["id"])
    bad = api.ineligible(call["id"], user="other")
    meeting = api.session(call["id"])
    api.agenda(meeting["id"], [good["id"], bad["id"]])
    api.move(meeting["id"], "convene")
    assert {api.application(a["id"])["state"] for a in (good, bad)} == {"scheduled"}

    cancelled = api.ok(
        api.post("chair", f"/sessions/{meeting['id']}/cancel", json={"reason": "Quorum"})
    )
    assert cancelled["state"] == "cancelled"
    assert api.application(good["id"])["state"] == "eligible"
    assert api.application(bad["id"])["state"] == "ineligible"
    unscheduled = [e for e in api.events(good["id"]) if e["action"] == "unschedule"]
    assert len(unscheduled) == 1 and unscheduled[0]["data"]["cancelled"] is True
    # A cancelled session is final; its files can go on another session's agenda.
    assert api.post("chair", f"/sessions/{meeting['id']}/open").status_code == 409
    assert api.post("chair", f"/sessions/{meeting['id']}/cancel").status_code == 409
    other = api.session(call["id"], "Séance de remplacement")
    assert [a["id"] for a in api.agenda(other["id"], [good["id"]])["agenda"]] == [good["id"]]
