"""Who may do what: every endpoint of DESIGN §7 by role, owner and non-owner.

Every refused write is checked to have changed nothing: row counts, the application as the
administrator sees it, and its events (`api.refused`).
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from sqlmodel import col, select

from engine.models import Letter

PUBLIC = [
    ("GET", "/health"),
    ("GET", "/schemes"),
]
# Every endpoint that needs a token; the test creates a call, an application and a session (id 1).
PROTECTED = [
    ("GET", "/funders"),
    ("POST", "/funders"),
    ("GET", "/calls"),
    ("GET", "/calls/1"),
    ("POST", "/calls"),
    ("POST", "/calls/1/open"),
    ("POST", "/calls/1/close"),
    ("GET", "/applications"),
    ("POST", "/applications"),
    ("GET", "/applications/1"),
    ("PATCH", "/applications/1"),
    ("GET", "/applications/1/documents"),
    ("POST", "/applications/1/documents"),
    ("POST", "/applications/1/submit"),
    ("POST", "/applications/1/withdraw"),
    ("POST", "/applications/1/request-documents"),
    ("POST", "/applications/1/override-eligibility"),
    ("GET", "/applications/1/events"),
    ("POST", "/applications/1/shares/caf/propose"),
    ("GET", "/applications/1/letters"),
    ("GET", "/letters/1"),
    ("GET", "/sessions"),
    ("POST", "/sessions"),
    ("GET", "/sessions/1"),
    ("PUT", "/sessions/1/agenda"),
    ("POST", "/sessions/1/convene"),
    ("POST", "/sessions/1/open"),
    ("POST", "/sessions/1/decisions"),
    ("POST", "/sessions/1/close"),
    ("POST", "/sessions/1/cancel"),
    ("GET", "/sessions/1/minutes"),
]


@pytest.fixture
def world(api: Any) -> dict[str, Any]:
    """A call; asso's eligible file, asso's draft, other's eligible file, asso's file that asks
    nothing of the State; a planned session holding asso's eligible file."""
    call = api.call()
    mine = api.eligible(call["id"])
    draft = api.draft(call["id"], title="Brouillon")
    theirs = api.eligible(call["id"], user="other", title="Maison des familles")
    requests = {"caf": "3000.00", "departement": "1500.00", "msa": "500.00"}
    no_state = api.eligible(call["id"], api.body(requests=requests), title="Sans l'État")
    meeting = api.session(call["id"])
    api.agenda(meeting["id"], [mine["id"]])
    return {
        "call": call,
        "mine": mine,
        "draft": draft,
        "theirs": theirs,
        "no_state": no_state,
        "session": meeting,
    }


def test_every_protected_endpoint_wants_a_valid_token(api: Any, reaap_call: dict[str, Any]) -> None:
    draft = api.draft(reaap_call["id"])
    assert reaap_call["id"] == draft["id"] == api.session(reaap_call["id"])["id"] == 1
    for method, path in PUBLIC:
        assert api.request(method, None, path).status_code == 200, path
    forged = jwt.encode(
        {"sub": "1", "gen": 0, "exp": 4102444800},
        "not the key, though long enough for HS256",
        "HS256",
    )
    expired = jwt.encode(
        {"sub": "1", "gen": 0, "exp": 1}, api.settings.secret_key, algorithm="HS256"
    )
    unknown = jwt.encode(
        {"sub": "999", "gen": 0, "exp": 4102444800}, api.settings.secret_key, algorithm="HS256"
    )
    before = api.snapshot([1])
    for method, path in PROTECTED:
        for token in (None, "garbage", forged, expired, unknown):
            headers = {"Authorization": f"Bearer {token}"} if token else None
            response = api.request(method, None, path, headers=headers)
            assert response.status_code == 401, (method, path, token, response.text)
            assert response.json()["code"] == "unauthenticated"
            assert response.headers["WWW-Authenticate"] == "Bearer", path
    # One look at the end is enough: had any request changed something, it would show.
    assert api.snapshot([1]) == before
    wrong = api.post(None, "/auth/token", data={"username": "asso", "password": "wrong password"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


def test_another_holder_can_neither_see_nor_touch_an_application(
    api: Any, world: dict[str, Any]
) -> None:
    for application in (world["mine"], world["draft"]):
        base = f"/applications/{application['id']}"
        watch = [application["id"]]
        for path in ("", "/events", "/documents", "/letters"):
            api.refused(403, "other", "GET", base + path)
        api.refused(403, "other", "PATCH", base, json={"title": "Pris"}, watch=watch)
        api.refused(
            403,
            "other",
            "POST",
            base + "/documents",
            data={"kind": "rib"},
            files={"file": ("rib.pdf", api.pdf, "application/pdf")},
            watch=watch,
        )
        api.refused(403, "other", "POST", base + "/submit", watch=watch)
        api.refused(403, "other", "POST", base + "/withdraw", watch=watch)
    listed = api.ok(api.get("other", "/applications"))
    assert [a["id"] for a in listed["items"]] == [world["theirs"]["id"]]
    assert listed["total"] == 1
    mine = api.ok(api.get("asso", "/applications"))
    assert {a["id"] for a in mine["items"]} == {
        world["mine"]["id"],
        world["draft"]["id"],
        world["no_state"]["id"],
    }


def test_the_holder_may_not_act_as_the_chair_or_a_funder(api: Any, world: dict[str, Any]) -> None:
    base = f"/applications/{world['theirs']['id']}"
    watch = [world["theirs"]["id"]]
    reason = {"reason": "Parce que"}
    api.refused(403, "other", "POST", base + "/request-documents", json=reason, watch=watch)
    api.refused(
        403, "other", "POST", base + "/shares/caf/propose", json={"amount": "1.00"}, watch=watch
    )
    for user in ("admin", "caf1"):
        api.refused(403, user, "POST", base + "/request-documents", json=reason, watch=watch)
        api.refused(403, user, "PATCH", base, json={"title": "Pris"}, watch=watch)
        api.refused(403, user, "POST", base + "/submit", watch=watch)
        api.refused(403, user, "POST", base + "/withdraw", watch=watch)
        api.refused(
            403,
            user,
            "POST",
            base + "/documents",
            data={"kind": "rib"},
            files={"file": ("rib.pdf", api.pdf, "application/pdf")},
            watch=watch,
        )
    ineligible = api.ineligible(world["call"]["id"])
    for user in ("asso", "admin", "caf1"):
        api.refused(
            403,
            user,
            "POST",
            f"/applications/{ineligible['id']}/override-eligibility",
            json=reason,
            watch=[ineligible["id"]],
        )


def test_a_funder_sees_only_the_files_that_ask_it_for_money(
    api: Any, world: dict[str, Any]
) -> None:
    no_state = world["no_state"]["id"]
    for user, hidden in (
        ("etat1", [no_state]),
        ("ville1", [world[k]["id"] for k in ("mine", "draft", "theirs", "no_state")]),
    ):
        for application_id in hidden:
            for path in ("", "/events", "/documents", "/letters"):
                api.refused(403, user, "GET", f"/applications/{application_id}{path}")
        listed = {a["id"] for a in api.ok(api.get(user, "/applications"))["items"]}
        assert listed.isdisjoint(hidden), user
    # The State sees the submitted files that ask it; the CAF, asked by all, sees them all.
    submitted = {
        a["id"] for a in api.ok(api.get("etat1", "/applications"))["items"] if a["submitted_at"]
    }
    assert submitted == {world["mine"]["id"], world["theirs"]["id"]}
    assert api.ok(api.get("etat1", f"/applications/{world['mine']['id']}"))["id"] == 1
    submitted = {
        a["id"] for a in api.ok(api.get("caf1", "/applications"))["items"] if a["submitted_at"]
    }
    assert submitted == {world[k]["id"] for k in ("mine", "theirs", "no_state")}
    assert len(api.ok(api.get("chair", "/applications"))["items"]) == 4
    # Nor may a funder not asked propose anything on it.
    api.refused(
        403,
        "etat1",
        "POST",
        f"/applications/{no_state}/shares/etat/propose",
        json={"amount": "1.00"},
        watch=[no_state],
    )
    api.refused(
        403,
        "ville1",
        "POST",
        f"/applications/{no_state}/shares/grenoble/propose",
        json={"amount": "1.00"},
        watch=[no_state],
    )
    # The session screen and its minutes are for the funders of the call.
    session_id = world["session"]["id"]
    api.refused(403, "ville1", "GET", f"/sessions/{session_id}")
    api.refused(403, "ville1", "GET", f"/sessions/{session_id}/minutes")
    assert api.ok(api.get("ville1", "/sessions")) == []
    assert [s["id"] for s in api.ok(api.get("etat1", "/sessions"))] == [session_id]
    for user in ("asso", "other"):
        api.refused(403, user, "GET", f"/sessions/{session_id}")
        api.refused(403, user, "GET", f"/sessions/{session_id}/minutes")
        api.refused(403, user, "GET", "/sessions")


def test_a_funder_can_only_propose_and_decide_its_own_share(
    api: Any, world: dict[str, Any]
) -> None:
    application_id = world["mine"]["id"]
    base = f"/applications/{application_id}"
    watch = [application_id]
    amount = {"amount": "1000.00"}
    api.refused(403, "caf1", "POST", base + "/shares/departement/propose", json=amount, watch=watch)
    for user in ("chair", "admin", "asso"):
        api.refused(403, user, "POST", base + "/shares/caf/propose", json=amount, watch=watch)
    proposed = api.ok(api.post("dep1", base + "/shares/departement/propose", json=amount))
    assert api.share(proposed, "departement")["proposed"] == "1000.00"

    session_id = world["session"]["id"]
    api.move(session_id, "convene")
    api.move(session_id, "open")
    decision = {
        "application_id": application_id,
        "funder": "departement",
        "outcome": "granted",
        "amount": "1000.00",
    }
    for user in ("caf1", "caf2", "chair", "admin", "asso", "other", "ville1"):
        api.refused(
            403, user, "POST", f"/sessions/{session_id}/decisions", json=decision, watch=watch
        )
    decided = api.ok(api.post("dep1", f"/sessions/{session_id}/decisions", json=decision), 201)
    assert api.share(decided, "departement")["state"] == "granted"
    # Either member of the CAF decides for the CAF.
    api.ok(api.decide(session_id, application_id, "caf", "granted", "3000.00", user="caf2"), 201)


def test_calls_sessions_and_funders_are_created_by_the_staff_only(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    call_body = api.call_body()
    session_body = {
        "call_id": reaap_call["id"],
        "title": "Séance",
        "starts_at": "2027-01-15T14:00:00+01:00",
        "location": "Grenoble",
    }
    funder_body = {"code": "voiron", "name": "Ville de Voiron", "kind": "commune", "insee": "38563"}
    draft_call = api.call(open_it=False)
    for user in ("asso", "caf1"):
        api.refused(403, user, "POST", "/calls", json=call_body)
        api.refused(403, user, "POST", f"/calls/{draft_call['id']}/open")
        api.refused(403, user, "POST", f"/calls/{reaap_call['id']}/close")
    for user in ("asso", "caf1", "admin"):
        api.refused(403, user, "POST", "/sessions", json=session_body)
    for user in ("asso", "caf1", "chair"):
        api.refused(403, user, "POST", "/funders", json=funder_body)
    # The staff may.
    assert api.ok(api.post("admin", "/calls", json=call_body), 201)["state"] == "draft"
    assert api.ok(api.post("admin", f"/calls/{draft_call['id']}/open"))["state"] == "open"
    assert api.ok(api.post("chair", "/sessions", json=session_body), 201)["state"] == "planned"
    assert api.ok(api.post("admin", "/funders", json=funder_body), 201)["code"] == "voiron"


def test_only_the_chair_runs_a_session(api: Any, world: dict[str, Any]) -> None:
    session_id = world["session"]["id"]
    base = f"/sessions/{session_id}"
    watch = [world["mine"]["id"], world["theirs"]["id"]]
    others = ("admin", "caf1", "asso")
    agenda = {"application_ids": [world["mine"]["id"], world["theirs"]["id"]]}
    for user in others:  # planned
        api.refused(403, user, "PUT", base + "/agenda", json=agenda, watch=watch)
        api.refused(403, user, "POST", base + "/convene", watch=watch)
        api.refused(403, user, "POST", base + "/cancel", watch=watch)
    api.move(session_id, "convene")
    for user in others:  # convened
        api.refused(403, user, "POST", base + "/open", watch=watch)
        api.refused(403, user, "PUT", base + "/agenda", json=agenda, watch=watch)
    api.move(session_id, "open")
    for user in others:  # open, shares undecided: still "not yours", nothing about the shares
        response = api.refused(403, user, "POST", base + "/close", watch=watch)
        assert world["mine"]["reference"] not in response.text
    for funder in ("caf", "departement", "etat", "msa"):
        api.ok(api.decide(session_id, world["mine"]["id"], funder, "refused"), 201)
    for user in others:  # open, every share decided
        api.refused(403, user, "POST", base + "/close", watch=watch)
    assert api.move(session_id, "close")["state"] == "closed"


def test_letters_go_only_to_the_people_they_are_addressed_to(
    api: Any, world: dict[str, Any]
) -> None:
    session_id = world["session"]["id"]
    application_id = world["mine"]["id"]
    api.move(session_id, "convene")
    api.move(session_id, "open")
    for funder, amount in (("caf", "3000.00"), ("departement", "1200.00"), ("msa", "200.00")):
        api.ok(api.decide(session_id, application_id, funder, "granted", amount), 201)
    api.ok(api.decide(session_id, application_id, "etat", "refused"), 201)
    api.move(session_id, "close")

    path = f"/applications/{application_id}/letters"
    every = api.ok(api.get("chair", path))
    by_kind = {(x["kind"], x["funder_id"]): x["id"] for x in every}
    funder_ids = {f["code"]: f["id"] for f in api.ok(api.get("admin", "/funders"))}
    decision = by_kind[("decision", None)]
    funder_letter = {
        code: by_kind[("funder", funder_ids[code])]
        for code in ("caf", "departement", "etat", "msa")
    }
    assert len(every) == 5

    # The holder: its decision letter, not the funders' letters.
    assert [x["id"] for x in api.ok(api.get("asso", path))] == [decision]
    assert api.get("asso", f"/letters/{decision}").status_code == 200
    for letter_id in funder_letter.values():
        api.refused(403, "asso", "GET", f"/letters/{letter_id}")
    # A funder: its own letter, not another funder's, not the holder's.
    for code, user in (("caf", "caf1"), ("caf", "caf2"), ("departement", "dep1")):
        assert [x["id"] for x in api.ok(api.get(user, path))] == [funder_letter[code]]
        response = api.get(user, f"/letters/{funder_letter[code]}")
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-")
        api.refused(403, user, "GET", f"/letters/{decision}")
        for other_code, letter_id in funder_letter.items():
            if other_code != code:
                api.refused(403, user, "GET", f"/letters/{letter_id}")
    # Nobody else.
    for user in ("other", "ville1"):
        api.refused(403, user, "GET", path)
        for letter_id in (decision, *funder_letter.values()):
            api.refused(403, user, "GET", f"/letters/{letter_id}")
    # The minutes and the convocations are the committee's, not the holders' nor outsiders'.
    with api.db.reading() as session:
        committee = [
            x.id for x in session.exec(select(Letter).where(col(Letter.application_id).is_(None)))
        ]
    assert committee
    for letter_id in committee:
        assert api.get("caf1", f"/letters/{letter_id}").status_code == 200
        assert api.get("chair", f"/letters/{letter_id}").status_code == 200
        for user in ("asso", "other", "ville1"):
            api.refused(403, user, "GET", f"/letters/{letter_id}")
    for path in (
        "/letters/99999",
        "/applications/99999",
        "/applications/99999/letters",
        "/calls/99999",
        "/sessions/99999",
    ):
        assert api.refused(404, "chair", "GET", path).json()["code"] == "not_found"
    assert api.get("caf1", f"/sessions/{session_id}/minutes").status_code == 200
