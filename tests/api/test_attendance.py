"""Attendance and quorum (DESIGN §12): the chair records who is present, excused or
represented; the session opens only with the quorum; an absent funder decides nothing and its
undecided shares are deferred at the close, with the reason in the minutes; the attendance
sheet lists every member."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from engine import models
from engine.settings import get_settings
from tests.api.conftest import pdf_text

# reaap_call asks the Caf (caf1, caf2), the State (etat1), the Département (dep1) and the MSA
# (msa1); the commune (ville1) takes no part.


def attendance_path(session_id: int) -> str:
    return f"/sessions/{session_id}/attendance"


def record(api: Any, session_id: int, *attendees: dict[str, Any]) -> dict[str, Any]:
    response = api.put("chair", attendance_path(session_id), json={"attendees": list(attendees)})
    return dict(api.ok(response))


def convened(api: Any, call_id: int, application_ids: list[int]) -> int:
    meeting = api.session(call_id)
    api.agenda(meeting["id"], application_ids)
    api.move(meeting["id"], "convene")
    return int(meeting["id"])


def present(user: str) -> dict[str, Any]:
    return {"user": user, "status": "present"}


def test_opening_is_refused_without_the_quorum_then_accepted(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    sid = convened(api, reaap_call["id"], [application["id"]])

    refused = api.post("chair", f"/sessions/{sid}/open")
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "quorum_not_met"
    assert "0 financeur(s) présent(s) ou représenté(s) sur 4" in refused.json()["detail"]

    # One funder of four: under half.
    sheet = record(api, sid, present("caf1"), {"user": "caf2", "status": "excused"})
    assert sheet["quorum"] == {"met": False, "present": 1, "total": 4, "required": 2, "missing": []}
    assert api.post("chair", f"/sessions/{sid}/open").status_code == 409
    assert api.ok(api.get("chair", f"/sessions/{sid}"))["state"] == "convened"

    # A represented member counts for its funder: two of four, the quorum.
    sheet = record(
        api,
        sid,
        present("caf1"),
        {"user": "caf2", "status": "excused"},
        {"user": "dep1", "status": "represented", "proxy": "caf1"},
    )
    assert sheet["quorum"]["met"] is True
    statuses = {a["user"]: (a["status"], a["proxy"]) for a in sheet["attendees"]}
    assert statuses == {
        "caf1": ("present", None),
        "caf2": ("excused", None),
        "dep1": ("represented", "caf1"),
        "etat1": (None, None),
        "msa1": (None, None),
    }
    opened = api.ok(api.post("chair", f"/sessions/{sid}/open"))
    assert opened["state"] == "open"
    # The funders of the session read it too; a funder outside it does not.
    assert api.ok(api.get("msa1", attendance_path(sid)))["quorum"]["met"] is True
    assert api.get("ville1", attendance_path(sid)).status_code == 403
    assert api.put("caf1", attendance_path(sid), json={"attendees": []}).status_code == 403


def test_a_deployment_requires_a_funder_and_sets_its_own_share(
    api: Any, reaap_call: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`quorum.required_funders` and `quorum.min_share` are dated parameters a deployment
    overrides (COFINANCE_PARAMETERS_DIR): here the Caf must sit, a quarter of the funders do."""
    folder = tmp_path / "parametres" / "quorum"
    folder.mkdir(parents=True)
    for name, unit, value in (("required_funders", "text", "caf"), ("min_share", "ratio", "0.25")):
        (folder / f"{name}.yaml").write_text(
            f'description: "Quorum local"\nreference: "Règlement intérieur"\nunit: {unit}\n'
            f'values:\n  2020-01-01: "{value}"\n',
            encoding="utf-8",
        )
    monkeypatch.setenv("COFINANCE_PARAMETERS_DIR", str(folder.parent))
    get_settings.cache_clear()
    try:
        application = api.eligible(reaap_call["id"])
        sid = convened(api, reaap_call["id"], [application["id"]])
        sheet = record(api, sid, present("dep1"))
        assert sheet["quorum"] == {
            "met": False,
            "present": 1,
            "total": 4,
            "required": 1,
            "missing": ["Caf de l'Isère"],
        }
        refused = api.post("chair", f"/sessions/{sid}/open")
        assert refused.status_code == 409
        assert refused.json()["code"] == "quorum_not_met"
        assert "la présence de Caf de l'Isère est requise" in refused.json()["detail"]
        record(
            api, sid, {"user": "caf1", "status": "represented", "proxy": "dep1"}, present("dep1")
        )
        assert api.ok(api.post("chair", f"/sessions/{sid}/open"))["state"] == "open"
    finally:
        monkeypatch.delenv("COFINANCE_PARAMETERS_DIR")
        get_settings.cache_clear()


def test_an_absent_funder_decides_nothing_and_a_proxy_decides_for_the_member_it_represents(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    aid = application["id"]
    sid = convened(api, reaap_call["id"], [aid])
    record(
        api,
        sid,
        present("caf1"),
        present("dep1"),
        {"user": "msa1", "status": "represented", "proxy": "dep1"},
        {"user": "etat1", "status": "excused"},
    )
    api.ok(api.post("chair", f"/sessions/{sid}/open"))

    absent = api.refused(
        409, "etat1", "POST", f"/sessions/{sid}/decisions", watch=[aid], json=_body(aid, "etat")
    )
    assert absent.json()["code"] == "funder_absent"
    assert "Préfecture de l'Isère" in absent.json()["detail"]

    # dep1 holds the MSA's proxy: it decides the MSA's share, and only because of it.
    decided = api.ok(api.decide(sid, aid, "msa", "refused", user="dep1"), 201)
    assert api.share(decided, "msa")["state"] == "refused"
    with api.db.reading() as session:
        event = session.exec(
            select(models.Event).where(
                models.Event.application_id == aid, models.Event.action == "refuse"
            )
        ).one()
        dep1 = session.exec(select(models.User).where(models.User.username == "dep1")).one()
    assert event.actor_id == dep1.id and event.data["proxy"] is True
    # Not a proxy of the Caf's members: the Caf's share is not dep1's.
    assert api.decide(sid, aid, "caf", "refused", user="dep1").status_code == 403


def test_the_close_defers_an_absent_funders_share_and_the_minutes_say_who_was_there(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    aid = application["id"]
    sid = convened(api, reaap_call["id"], [aid])
    record(
        api,
        sid,
        present("caf1"),
        {"user": "caf2", "status": "excused"},
        present("dep1"),
        {"user": "msa1", "status": "represented", "proxy": "dep1"},
    )
    api.ok(api.post("chair", f"/sessions/{sid}/open"))
    api.ok(api.decide(sid, aid, "caf", "granted", "3000.00"), 201)
    api.ok(api.decide(sid, aid, "departement", "granted", "1000.00"), 201)
    api.ok(api.decide(sid, aid, "msa", "refused", user="dep1"), 201)

    # The State is absent: nothing waits for it, the close defers its share.
    closed = api.move(sid, "close")
    assert closed["state"] == "closed"
    after = api.application(aid)
    assert api.share(after, "etat")["state"] == "deferred"
    assert api.share(after, "caf")["state"] == "granted"
    assert after["state"] == "eligible"  # back for a later session, like any deferred file
    (event,) = [
        e for e in api.events(aid) if e["action"] == "defer_at_close" and e["entity"] == "share"
    ]
    assert "Préfecture de l'Isère n'était ni présent ni représenté" in event["reason"]

    minutes = api.get("chair", f"/sessions/{sid}/minutes")
    assert minutes.status_code == 200, minutes.text
    text = pdf_text(minutes.content)
    assert "Présences et quorum" in text
    assert "Caf1 (Caf de l'Isère) : présent(e)" in text
    assert "Caf2 (Caf de l'Isère) : excusé(e)" in text
    assert "Msa1 (MSA Alpes du Nord) : représenté(e) par Dep1" in text
    assert "Etat1 (Préfecture de l'Isère) : absent(e)" in text
    assert "Le quorum est atteint : 3 financeur(s) sur 4 présent(s) ou représenté(s)" in text
    assert "motif de l'ajournement : Préfecture de l'Isère n'était ni présent ni" in text

    # The holder's letter says what was decided, what waits and why; its email says deferred.
    (letter,) = [
        pdf
        for row, pdf in api.stored_letters()
        if row.kind == "decision" and row.application_id == aid
    ]
    letter_text = " ".join(pdf_text(letter).split())
    assert "Décision ajournée" in letter_text
    assert (
        "Motif de l'ajournement : Préfecture de l'Isère n'était ni présent ni représenté"
        in letter_text
    )
    assert "Caf de l'Isère" in letter_text and "3 000,00 €" in letter_text
    (email,) = api.emails("deferral")
    assert "ajournée" in email["Subject"]
    assert api.emails("decision") == []
    assert api.application(aid)["state"] == "eligible"  # a deferral notifies no decision


def test_the_attendance_sheet_lists_every_member_of_the_sessions_funders(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    sid = convened(api, reaap_call["id"], [application["id"]])
    record(api, sid, present("dep1"), {"user": "msa1", "status": "represented", "proxy": "dep1"})
    response = api.get("caf1", f"/sessions/{sid}/attendance-sheet")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Feuille de présence" in text
    for name in ("Caf1", "Caf2", "Etat1", "Dep1", "Msa1"):
        assert name in text
    assert "Représenté(e) par Dep1" in text
    assert "Ville1" not in text  # the commune takes no part in the call
    assert api.get("ville1", f"/sessions/{sid}/attendance-sheet").status_code == 403


def test_bad_attendance_is_refused_naming_the_field_and_changes_nothing(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    sid = convened(api, reaap_call["id"], [application["id"]])
    record(api, sid, present("caf1"))
    path = attendance_path(sid)
    cases = [
        # ville1 belongs to the commune, which takes no part in the session's call.
        ("attendees.1.user", [present("caf1"), present("ville1")]),
        ("attendees.0.user", [present("nobody")]),
        # The proxy must be another member, recorded present.
        ("attendees.0.proxy", [{"user": "msa1", "status": "represented", "proxy": "dep1"}]),
        ("attendees.0.proxy", [{"user": "msa1", "status": "represented"}]),
        ("attendees.0.proxy", [{"user": "caf1", "status": "present", "proxy": "caf2"}]),
        ("attendees.1.user", [present("caf1"), present("caf1")]),
        ("attendees.0.status", [{"user": "caf1", "status": "late"}]),
    ]
    for field, attendees in cases:
        api.invalid(field, "chair", "PUT", path, json={"attendees": attendees})
    sheet = api.ok(api.get("chair", attendance_path(sid)))
    assert [a["user"] for a in sheet["attendees"] if a["status"]] == ["caf1"]


def _body(application_id: int, funder: str) -> dict[str, Any]:
    return {"application_id": application_id, "funder": funder, "outcome": "refused"}


def test_two_screens_recording_the_attendance_at_once_both_succeed_and_one_record_stands(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    from tests.api.test_concurrency import together

    application = api.eligible(reaap_call["id"])
    session_id = convened(api, reaap_call["id"], [application["id"]])
    everyone = [present(u) for u in ("caf1", "caf2", "etat1", "dep1", "msa1")]
    answers = together(
        4,
        lambda _: api.put("chair", attendance_path(session_id), json={"attendees": everyone}),
    )
    assert [a.status_code for a in answers] == [200] * 4
    with api.db.reading() as session:
        rows = session.exec(
            select(models.Attendance).where(models.Attendance.session_id == session_id)
        ).all()
    assert sorted(r.user_id for r in rows) == sorted({r.user_id for r in rows})
    assert len(rows) == 5


def test_a_proxy_decides_for_the_member_it_represents_from_the_session_screen(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    from tests.api.test_agreement_pages import post
    from tests.api.test_plugin_package import page

    application = api.eligible(reaap_call["id"])
    aid = application["id"]
    sid = convened(api, reaap_call["id"], [aid])
    record(
        api,
        sid,
        present("caf1"),
        present("etat1"),
        present("dep1"),
        {"user": "msa1", "status": "represented", "proxy": "dep1"},
    )
    api.ok(api.post("chair", f"/sessions/{sid}/open"))
    screen = page(api, "dep1", f"/seances/{sid}")
    assert "Décisions de MSA Alpes du Nord, par procuration" in screen
    assert 'name="funder" value="msa"' in screen
    assert "par procuration" not in page(api, "caf1", f"/seances/{sid}")
    answer = post(
        api,
        "dep1",
        f"/seances/{sid}/decisions",
        data={"application_id": str(aid), "funder": "msa", "outcome": "refused"},
    )
    assert answer.status_code == 303, answer.text
    assert api.share(api.application(aid), "msa")["state"] == "refused"
    # The history says who decided: the proxy's side, not the absent member's.
    (event,) = [e for e in api.events(aid) if e["entity"] == "share" and e["action"] == "refuse"]
    assert event["actor"] == "Département de l'Isère"
