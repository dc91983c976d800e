"""Opinions on a share before the session (DESIGN §12): a funder's members give theirs, update it
until the session opens, and whoever sees the file reads them."""

from __future__ import annotations

from typing import Any


def _opinion(api: Any, user: str, application_id: int, funder: str, **body: Any) -> Any:
    return api.post(user, f"/applications/{application_id}/shares/{funder}/opinion", json=body)


def test_a_member_gives_an_opinion_then_updates_it_and_everyone_who_sees_the_file_reads_it(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    file = api.eligible(reaap_call["id"])
    first = _opinion(api, "caf1", file["id"], "caf", opinion="reserved", comment="Budget à revoir.")
    given = api.ok(first, 201)
    assert (given["opinion"], given["label"], given["comment"]) == (
        "reserved",
        "Réservé",
        "Budget à revoir.",
    )
    updated = api.ok(_opinion(api, "caf1", file["id"], "caf", opinion="favourable"), 200)
    assert (updated["opinion"], updated["comment"]) == ("favourable", None)
    api.ok(_opinion(api, "caf2", file["id"], "caf", opinion="unfavourable", comment="Non."), 201)
    for user in ("chair", "caf1", "dep1"):
        lines = api.ok(api.get(user, f"/applications/{file['id']}/opinions"))
        assert sorted((x["user"], x["opinion"]) for x in lines) == [
            ("caf1", "favourable"),
            ("caf2", "unfavourable"),
        ]
    events = [e for e in api.events(file["id"]) if e["action"] == "opinion"]
    assert len(events) == 3
    # The holder reads neither the opinions nor their trace in its file's history.
    assert api.get("asso", f"/applications/{file['id']}/opinions").status_code == 403
    history = api.ok(api.get("asso", f"/applications/{file['id']}/events"))
    assert history and not [e for e in history if e["action"] == "opinion"]


def test_an_opinion_is_refused_once_the_session_examining_the_file_is_open(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    file = api.eligible(reaap_call["id"])
    meeting = api.session(reaap_call["id"])
    api.agenda(meeting["id"], [file["id"]])
    api.move(meeting["id"], "convene")
    # Still before the session: convened is not open.
    api.ok(_opinion(api, "caf1", file["id"], "caf", opinion="favourable"), 201)
    api.move(meeting["id"], "open")
    path = f"/applications/{file['id']}/shares/caf/opinion"
    response = api.refused(
        409, "caf1", "POST", path, watch=[file["id"]], json={"opinion": "unfavourable"}
    )
    assert response.json()["code"] == "wrong_state"
    assert "séance" in response.json()["detail"]


def test_bad_opinion_input_is_422_naming_the_field(api: Any, reaap_call: dict[str, Any]) -> None:
    file = api.eligible(reaap_call["id"])
    path = f"/applications/{file['id']}/shares/caf/opinion"
    watch = [file["id"]]
    api.invalid("opinion", "caf1", "POST", path, watch=watch, json={"opinion": "perhaps"})
    api.invalid("opinion", "caf1", "POST", path, watch=watch, json={"comment": "Sans avis"})
    api.invalid(
        "comment", "caf1", "POST", path, watch=watch, json={"opinion": "reserved", "comment": 3}
    )
    api.invalid(
        "comment",
        "caf1",
        "POST",
        path,
        watch=watch,
        json={"opinion": "reserved", "comment": "x" * 2001},
    )
    api.invalid(
        "comment",
        "caf1",
        "POST",
        path,
        watch=watch,
        json={"opinion": "reserved", "comment": "Deux\x00mots"},
    )


def test_only_a_member_of_that_funder_gives_its_opinion(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    file = api.eligible(reaap_call["id"])
    path = f"/applications/{file['id']}/shares/caf/opinion"
    body = {"opinion": "favourable"}
    watch = [file["id"]]
    for user in ("dep1", "chair", "asso"):
        api.refused(403, user, "POST", path, watch=watch, json=body)
    # The commune is not asked by this call: its member does not even see the file.
    api.refused(403, "ville1", "POST", path, watch=watch, json=body)
    api.refused(404, "caf1", "POST", "/applications/999999/shares/caf/opinion", json=body)
    assert api.get("ville1", f"/applications/{file['id']}/opinions").status_code == 403


def test_the_minutes_give_the_opinions_of_each_file(api: Any, reaap_call: dict[str, Any]) -> None:
    file = api.eligible(reaap_call["id"])
    other = api.eligible(reaap_call["id"], title="Sans avis")
    body = {"opinion": "unfavourable", "comment": "Action déjà financée ailleurs."}
    api.ok(_opinion(api, "caf1", file["id"], "caf", **body), 201)
    api.ok(_opinion(api, "msa1", file["id"], "msa", opinion="favourable"), 201)
    meeting = api.open_session(reaap_call["id"], [file["id"], other["id"]])
    for application in (file, other):
        for funder in ("caf", "departement", "etat", "msa"):
            api.ok(api.decide(meeting["id"], application["id"], funder, "refused"), 201)
    api.move(meeting["id"], "close")
    minutes = api.get("chair", f"/sessions/{meeting['id']}/minutes")
    assert minutes.status_code == 200, minutes.text
    text = api.pdf_text(minutes.content)
    assert text.count("Avis des membres avant la séance") == 1  # the file without any: none
    assert "Caf1 (Caf de l'Isère) : défavorable. Action déjà financée ailleurs." in text
    assert "Msa1 (MSA Alpes du Nord) : favorable." in text
