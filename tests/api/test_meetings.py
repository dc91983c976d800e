"""Sessions as real meetings: an empty agenda is not convened, a changed agenda or date sends an
amended convocation, a session opens from its day, decisions are corrected while it is open, the
chair defers an absent funder's share, and one session may hold the files of several calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from engine.models import Event, OutboxMessage


def outbox(api: Any, subject_part: str) -> list[OutboxMessage]:
    with api.db.reading() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "convocation"))
        return [r for r in rows if subject_part in r.subject]


def share_events(api: Any, application_id: int, action: str) -> list[Event]:
    with api.db.reading() as session:
        query = select(Event).where(
            Event.application_id == application_id,
            Event.entity == "share",
            Event.action == action,
        )
        return list(session.exec(query))


def test_convening_an_empty_agenda_is_refused(api: Any, reaap_call: dict[str, Any]) -> None:
    meeting = api.session(reaap_call["id"])
    response = api.post("chair", f"/sessions/{meeting['id']}/convene")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "empty_agenda"
    assert "ordre du jour est vide" in response.json()["detail"]
    assert api.ok(api.get("chair", f"/sessions/{meeting['id']}"))["state"] == "planned"


def test_an_agenda_changed_after_convening_sends_an_amended_convocation_saying_what_changed(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    first = api.eligible(reaap_call["id"], title="Café des parents")
    second = api.eligible(reaap_call["id"], title="Ateliers parents-enfants")
    meeting = api.session(reaap_call["id"])
    api.agenda(meeting["id"], [first["id"]])
    api.move(meeting["id"], "convene")
    convened = {m.recipient for m in outbox(api, "Convocation")}
    assert "caf1@example.org" in convened
    assert outbox(api, "Convocation modifiée") == []

    api.agenda(meeting["id"], [first["id"], second["id"]])

    amended = outbox(api, "Convocation modifiée")
    assert {m.recipient for m in amended} == convened
    for message in amended:
        assert "Ateliers parents-enfants" in message.body_text
        assert "inscrit à l'ordre du jour" in message.body_text
        # The convocation and the pack, both with the agenda as it is now.
        assert len(message.attachments) == 2
    # The same agenda again changes nothing: nothing more is sent.
    api.agenda(meeting["id"], [first["id"], second["id"]])
    assert len(outbox(api, "Convocation modifiée")) == len(amended)


def test_a_session_opens_only_from_its_day(api: Any, reaap_call: dict[str, Any]) -> None:
    application = api.eligible(reaap_call["id"])
    later = datetime.now(UTC) + timedelta(days=3)
    meeting = api.session(reaap_call["id"], starts_at=later)
    api.agenda(meeting["id"], [application["id"]])
    api.move(meeting["id"], "convene")
    response = api.post("chair", f"/sessions/{meeting['id']}/open")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "too_early"
    assert "à partir de son jour" in response.json()["detail"]
    assert api.ok(api.get("chair", f"/sessions/{meeting['id']}"))["state"] == "convened"


def test_moving_a_convened_session_to_today_re_convenes_and_lets_it_open(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    meeting = api.session(reaap_call["id"], starts_at=datetime.now(UTC) + timedelta(days=3))
    api.agenda(meeting["id"], [application["id"]])
    convened = api.move(meeting["id"], "convene")
    path = f"/sessions/{meeting['id']}"
    today = datetime.now(UTC).isoformat()

    stale = api.patch("chair", path, json={"starts_at": today}, headers={"If-Match": "999"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert api.patch("caf1", path, json={"starts_at": today}).status_code == 403
    assert api.patch("chair", path, json={"starts_at": "demain"}).status_code == 422

    moved = api.ok(
        api.patch(
            "chair",
            path,
            json={"starts_at": today, "location": "Salle du conseil"},
            headers={"If-Match": str(convened["version"])},
        )
    )
    assert moved["location"] == "Salle du conseil"
    assert moved["version"] > convened["version"]
    amended = outbox(api, "Convocation modifiée")
    assert amended and {m.recipient for m in amended} >= {"chair@example.org", "caf1@example.org"}
    assert all("Date :" in m.body_text and "Salle du conseil" in m.body_text for m in amended)
    assert api.move(meeting["id"], "open")["state"] == "open"
    refused = api.patch("chair", path, json={"location": "Ailleurs"})
    assert refused.status_code == 409


def test_a_corrected_decision_replaces_the_previous_one_while_the_session_is_open(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    meeting = api.open_session(reaap_call["id"], [application["id"]])
    first = api.decide(meeting["id"], application["id"], "caf", "granted", "2000.00")
    assert first.status_code == 201, first.text

    corrected = api.ok(api.decide(meeting["id"], application["id"], "caf", "refused"), 200)
    assert api.share(corrected, "caf")["state"] == "refused"
    assert api.share(corrected, "caf")["granted"] is None
    again = api.ok(api.decide(meeting["id"], application["id"], "caf", "granted", "2500.00"))
    assert (api.share(again, "caf")["state"], api.share(again, "caf")["granted"]) == (
        "granted",
        "2500.00",
    )
    events = share_events(api, application["id"], "correct")
    assert [(e.from_state, e.to_state) for e in events] == [
        ("granted", "refused"),
        ("refused", "granted"),
    ]
    assert events[0].data["previous"]["amount"] == "2000.00"
    assert len(share_events(api, application["id"], "grant")) == 1

    # Another funder's member cannot correct it; after the close nobody can.
    assert (
        api.decide(meeting["id"], application["id"], "caf", "refused", user="dep1").status_code
        == 403
    )
    for funder in ("departement", "etat", "msa"):
        api.ok(api.decide(meeting["id"], application["id"], funder, "refused"), 201)
    api.move(meeting["id"], "close")
    late = api.decide(meeting["id"], application["id"], "caf", "refused")
    assert late.status_code == 409


def test_the_chair_defers_an_absent_funders_share_with_a_reason_and_nothing_else(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    meeting = api.open_session(reaap_call["id"], [application["id"]])
    sid, aid = meeting["id"], application["id"]

    for outcome, amount in (("granted", "100.00"), ("refused", None)):
        refused = api.decide(sid, aid, "msa", outcome, amount, user="chair", reason="Absente")
        assert refused.status_code == 403, refused.text
    no_reason = api.decide(sid, aid, "msa", "deferred", user="chair")
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    blank = api.decide(sid, aid, "msa", "deferred", user="chair", reason="   ")
    assert blank.status_code == 422

    deferred = api.ok(
        api.decide(sid, aid, "msa", "deferred", user="chair", reason="La MSA est absente."),
        201,
    )
    assert api.share(deferred, "msa")["state"] == "deferred"
    (event,) = share_events(api, aid, "defer_absent")
    assert event.reason == "La MSA est absente."
    # The funder's own member, arrived after all, may replace it while the session is open.
    late = api.ok(api.decide(sid, aid, "msa", "granted", "150.00"), 200)
    assert api.share(late, "msa")["state"] == "granted"
    assert len(share_events(api, aid, "correct")) == 1


def test_a_session_holds_files_of_several_calls(api: Any) -> None:
    spring = api.call(title="Appel Reaap du printemps")
    autumn = api.call(title="Appel Reaap de l'automne")
    first = api.eligible(spring["id"], title="Café des parents")
    second = api.eligible(autumn["id"], title="Ateliers du mercredi")
    outsider_call = api.call(title="Autre appel")
    outsider = api.eligible(outsider_call["id"], title="Hors séance")
    body = {
        "call_ids": [spring["id"], autumn["id"]],
        "title": "Comité commun",
        "starts_at": datetime.now(UTC).isoformat(),
        "location": "Grenoble",
    }
    meeting = api.ok(api.post("chair", "/sessions", json=body), 201)
    assert meeting["call_id"] == spring["id"]
    assert meeting["call_ids"] == [spring["id"], autumn["id"]]
    api.agenda(meeting["id"], [first["id"], second["id"]])
    refused = api.put(
        "chair",
        f"/sessions/{meeting['id']}/agenda",
        json={"application_ids": [first["id"], outsider["id"]]},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["application_ids.1"]

    # `call_id` stays valid, alone or beside `call_ids`; the list shows the calls too.
    single = dict(body, call_id=autumn["id"])
    del single["call_ids"]
    alone = api.ok(api.post("chair", "/sessions", json=single), 201)
    assert alone["call_ids"] == [autumn["id"]]
    both = api.ok(api.post("chair", "/sessions", json=dict(body, call_id=autumn["id"])), 201)
    assert both["call_id"] == autumn["id"]
    assert sorted(both["call_ids"]) == sorted([spring["id"], autumn["id"]])
    listed = {m["id"]: m for m in api.ok(api.get("caf1", "/sessions"))}
    assert listed[meeting["id"]]["call_ids"] == [spring["id"], autumn["id"]]
    missing = api.post(
        "chair", "/sessions", json={k: v for k, v in body.items() if k != "call_ids"}
    )
    assert missing.status_code == 422
    unknown = api.post("chair", "/sessions", json=dict(body, call_ids=[999999]))
    assert unknown.status_code == 422

    api.move(meeting["id"], "convene")
    api.move(meeting["id"], "open")
    for application in (first, second):
        for funder in ("caf", "departement", "etat", "msa"):
            api.ok(api.decide(meeting["id"], application["id"], funder, "refused"), 201)
    closed = api.move(meeting["id"], "close")
    assert closed["state"] == "closed"
    assert api.application(second["id"])["state"] in ("decided", "notified")
