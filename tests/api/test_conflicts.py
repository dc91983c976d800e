"""Conflicts of interest in session: a member declares its own, the chair records one for a
member, the holder's own people are found automatically; a conflicted member cannot decide
that file, and the minutes name who did not take part in which decision."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from engine.models import Application, Event, Funder, Meeting, User
from engine.services import attendance, conflicts
from tests.security.conftest import actors

REASON = "Je siège au conseil d'administration de l'association."


def declare(api: Any, user: str, session_id: int, application_id: int, member: str) -> Any:
    body = {"application_id": application_id, "user": member, "reason": REASON}
    return api.post(user, f"/sessions/{session_id}/conflicts", json=body)


def listed(api: Any, session_id: int, user: str = "chair") -> list[dict[str, Any]]:
    return list(api.ok(api.get(user, f"/sessions/{session_id}/conflicts")))


def test_a_member_who_declares_a_conflict_cannot_decide_that_file(api: Any) -> None:
    call = api.call()
    cafe = api.eligible(call["id"])
    other = api.eligible(call["id"], user="other", title="Ateliers")
    meeting = api.open_session(call["id"], [cafe["id"], other["id"]])
    session_id = meeting["id"]

    line = api.ok(declare(api, "caf1", session_id, cafe["id"], "caf1"), 201)
    assert (line["user"], line["funder"], line["source"]) == ("caf1", "caf", "declared")
    assert (line["reason"], line["declared_by"], line["application_id"]) == (
        REASON,
        "Caf1",
        cafe["id"],
    )
    assert line["at"]
    # Audited on the session, not on the file's trail the holder reads.
    with api.db.reading() as session:
        event = session.exec(select(Event).where(Event.action == "declare_conflict")).one()
    assert (event.entity, event.entity_id, event.reason) == ("session", session_id, REASON)
    assert event.data == {"application": cafe["id"], "user": "caf1", "source": "declared"}
    assert "declare_conflict" not in {e["action"] for e in api.events(cafe["id"], "asso")}
    # The chair and every funder of the session see it.
    assert listed(api, session_id) == [line]
    assert listed(api, session_id, "dep1") == [line]

    response = api.refused(
        409,
        "caf1",
        "POST",
        f"/sessions/{session_id}/decisions",
        json={"application_id": cafe["id"], "funder": "caf", "outcome": "granted", "amount": "1"},
        watch=[cafe["id"]],
    )
    assert response.json()["code"] == "conflict_of_interest"
    assert "conflit d'intérêts" in response.json()["detail"]
    # The other file, and the other member of the Caf on this one, decide as usual.
    api.ok(api.decide(session_id, other["id"], "caf", "granted", "2000.00"), 201)
    api.ok(api.decide(session_id, cafe["id"], "caf", "granted", "2000.00", user="caf2"), 201)
    # Declared twice: refused, nothing changed.
    assert (
        api.refused(
            409,
            "caf1",
            "POST",
            f"/sessions/{session_id}/conflicts",
            json={"application_id": cafe["id"], "user": "caf1", "reason": REASON},
        ).json()["code"]
        == "duplicate"
    )


def test_the_chair_records_a_conflict_for_a_member_and_the_minutes_name_it(api: Any) -> None:
    call = api.call()
    cafe = api.eligible(call["id"])
    meeting = api.session(call["id"])
    api.agenda(meeting["id"], [cafe["id"]])
    session_id = meeting["id"]

    # Before the session: the chair records it for the Département's member.
    line = api.ok(declare(api, "chair", session_id, cafe["id"], "dep1"), 201)
    assert (line["user"], line["source"], line["declared_by"]) == (
        "dep1",
        "recorded_by_chair",
        "Chair",
    )
    api.move(session_id, "convene")
    api.move(session_id, "open")  # every member recorded present first
    decided = api.decide(session_id, cafe["id"], "departement", "refused", user="dep1")
    assert decided.status_code == 409, decided.text
    assert decided.json()["code"] == "conflict_of_interest"

    for funder, outcome, amount in (
        ("caf", "granted", "3000.00"),
        ("etat", "refused", None),
        ("msa", "refused", None),
    ):
        api.ok(api.decide(session_id, cafe["id"], funder, outcome, amount), 201)
    # Nobody else may decide the Département's share: the close defers it, saying why.
    api.move(session_id, "close")
    # Once closed, nothing more can be declared.
    refused = api.refused(
        409,
        "caf1",
        "POST",
        f"/sessions/{session_id}/conflicts",
        json={"application_id": cafe["id"], "user": "caf1", "reason": REASON},
    )
    assert refused.json()["code"] == "wrong_state"

    application = api.application(cafe["id"])
    assert application["state"] == "eligible"  # deferred: back for a later session
    assert api.share(application, "departement")["state"] == "deferred"
    assert api.share(application, "caf")["state"] == "granted"
    minutes = api.get("chair", f"/sessions/{session_id}/minutes")
    assert minutes.status_code == 200, minutes.text
    text = api.pdf_text(minutes.content)
    assert "N'ont pas pris part à la décision" in text
    assert "Dep1 (Département de l'Isère)" in text
    assert "conseil d'administration" in text
    assert (
        "Tous les membres présents de Département de l'Isère ont un conflit d'intérêts sur ce "
        "dossier : la part est ajournée." in text
    )


def test_a_member_declaring_for_someone_else_is_refused(api: Any) -> None:
    call = api.call()
    cafe = api.eligible(call["id"])
    meeting = api.open_session(call["id"], [cafe["id"]])
    path = f"/sessions/{meeting['id']}/conflicts"
    body = {"application_id": cafe["id"], "user": "caf2", "reason": REASON}
    for user in ("caf1", "dep1"):  # another member, of the same funder or not
        assert api.refused(403, user, "POST", path, json=body).json()["code"] == "forbidden"
    for user in ("asso", "ville1", "admin"):  # the holder, a funder not in the call, the admin
        api.refused(403, user, "POST", path, json=body)
    for user in ("asso", "ville1"):
        api.refused(403, user, "GET", path)
    api.refused(401, None, "GET", path)
    assert listed(api, meeting["id"]) == []


def test_bad_input_is_refused_naming_the_field_and_nothing_changes(api: Any) -> None:
    call = api.call()
    cafe = api.eligible(call["id"])
    elsewhere = api.eligible(call["id"], user="other", title="Pas à l'ordre du jour")
    meeting = api.open_session(call["id"], [cafe["id"]])
    path = f"/sessions/{meeting['id']}/conflicts"

    def body(**changes: Any) -> dict[str, Any]:
        return {"application_id": cafe["id"], "user": "caf1", "reason": REASON, **changes}

    api.invalid("application_id", "caf1", "POST", path, json=body(application_id=elsewhere["id"]))
    api.invalid("application_id", "chair", "POST", path, json=body(application_id=999999))
    api.invalid("user", "chair", "POST", path, json=body(user="personne"))
    api.invalid("user", "chair", "POST", path, json=body(user="ville1"))  # not in this call
    api.invalid("user", "chair", "POST", path, json=body(user="asso"))  # not a member
    api.invalid("reason", "caf1", "POST", path, json=body(reason="   "))
    api.invalid("reason", "chair", "POST", path, json=body(reason="x" * 2001))
    api.invalid("user", "chair", "POST", path, json={"application_id": cafe["id"], "reason": "x"})
    assert listed(api, meeting["id"]) == []


def test_a_member_of_the_holder_organisation_is_conflicted_automatically(api: Any) -> None:
    call = api.call()
    cafe = api.eligible(call["id"])
    with api.db.transaction() as session:  # the Caf's second member sits on asso's board
        holder = session.get(Application, cafe["id"])
        member = session.exec(select(User).where(User.username == "caf2")).one()
        assert holder is not None
        member.organisation_id = holder.organisation_id
    meeting = api.session(call["id"])
    api.agenda(meeting["id"], [cafe["id"]])

    # Found before the session (not stored yet)…
    [line] = listed(api, meeting["id"])
    assert (line["user"], line["source"], line["declared_by"], line["at"]) == (
        "caf2",
        "automatic",
        None,
        None,
    )
    assert "Membre de la structure porteuse" in line["reason"]
    # …stored once the session opens, and the member cannot decide that file.
    api.move(meeting["id"], "convene")
    api.move(meeting["id"], "open")
    [line] = listed(api, meeting["id"])
    assert line["source"] == "automatic" and line["at"]
    decided = api.decide(meeting["id"], cafe["id"], "caf", "granted", "100.00", user="caf2")
    assert decided.status_code == 409 and decided.json()["code"] == "conflict_of_interest"
    api.ok(api.decide(meeting["id"], cafe["id"], "caf", "granted", "100.00", user="caf1"), 201)


def test_a_commune_funding_its_own_action_is_conflicted_automatically(api: Any) -> None:
    commune_siret = "21380185500015"
    call = api.call({**api.ENVELOPES, "grenoble": "10000.00"})
    body = api.body(
        holder={"kind": "collectivite", "siret": commune_siret, "cer_signed": True},
        requests={"caf": "3000.00", "grenoble": "1500.00"},
    )
    with api.db.transaction() as session:  # the Ville de Grenoble's own SIRET
        funder = session.exec(select(Funder).where(Funder.code == "grenoble")).one()
        funder.siret = commune_siret
    cafe = api.submitted(call["id"], body)
    meeting = api.session(call["id"])
    api.agenda(meeting["id"], [cafe["id"]])

    lines = listed(api, meeting["id"])
    assert [(c["user"], c["funder"], c["source"]) for c in lines] == [
        ("ville1", "grenoble", "automatic")
    ]
    assert "Ville de Grenoble lui-même" in lines[0]["reason"]
    api.move(meeting["id"], "convene")
    api.move(meeting["id"], "open")
    decided = api.decide(meeting["id"], cafe["id"], "grenoble", "granted", "1500.00")
    assert decided.status_code == 409 and decided.json()["code"] == "conflict_of_interest"


def test_a_share_is_wholly_conflicted_only_when_every_present_member_is(api: Any) -> None:
    call = api.call()
    cafe = api.eligible(call["id"])
    meeting = api.open_session(call["id"], [cafe["id"]])
    api.ok(declare(api, "caf1", meeting["id"], cafe["id"], "caf1"), 201)
    chair = actors(api.db)["chair"]

    def wholly_conflicted(**statuses: str) -> list[tuple[str, str]]:
        people = {"etat1": "present", "dep1": "present", "msa1": "present", **statuses}
        lines = [attendance.AttendeeInput(user, status) for user, status in people.items()]
        attendance.record_attendance(api.db, chair, meeting["id"], lines)
        with api.db.reading() as session:
            codes = {f.id: f.code for f in session.exec(select(Funder))}
            found = session.get(Meeting, meeting["id"])
            assert found is not None
            return [
                (codes[share.funder_id], reason)
                for share, reason in conflicts.fully_conflicted_shares(session, found)
            ]

    # The Caf's other member is there: it decides the Caf's share.
    assert wholly_conflicted(caf1="present", caf2="present") == []
    # Only the conflicted member is there: nobody may decide it, the close defers it.
    assert wholly_conflicted(caf1="present", caf2="excused") == [
        (
            "caf",
            "Tous les membres présents de Caf de l'Isère ont un conflit d'intérêts sur ce "
            "dossier : la part est ajournée.",
        )
    ]
    # Nobody of the Caf is there: it is absent, which is another reason (not listed here).
    assert wholly_conflicted(caf1="excused", caf2="excused") == []
