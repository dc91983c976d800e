"""The description of the project (CERFA 12156, fiche 3): `application.project` is optional, so
clients that never send it keep working; when sent, it is validated, stored and read back."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import reaap_body

PROJECT = {
    "objectives": "Rompre l'isolement des parents.\nLes aider à échanger.",
    "description": "Un café des parents chaque samedi matin.",
    "public": "Parents d'enfants de 0 à 11 ans du quartier.",
    "means": "Une animatrice salariée et deux bénévoles.",
    "evaluation": "Nombre de familles présentes, questionnaire en fin d'année.",
}


def test_an_application_filed_with_its_project_gives_it_back_as_written(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    created = api.draft(reaap_call["id"], reaap_body(project=PROJECT))
    assert created["application"]["project"] == PROJECT
    read = api.application(created["id"], "asso")
    assert read["application"]["project"] == PROJECT
    # Line breaks, as a textarea sends them, are kept.
    assert "\n" in read["application"]["project"]["objectives"]


def test_an_old_client_without_a_project_still_files_and_reads_none(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    created = api.draft(reaap_call["id"])
    assert created["application"].get("project") is None
    submitted = api.ok(api.submit(created["id"]))
    assert submitted["state"] == "incomplete"
    assert submitted["application"].get("project") is None


def test_a_holder_adds_the_project_to_a_draft_with_patch(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    created = api.draft(reaap_call["id"])
    body = reaap_body(project={"objectives": "Soutenir les parents.", "public": "Familles"})
    patched = api.ok(
        api.patch("asso", f"/applications/{created['id']}", json={"application": body})
    )
    assert patched["application"]["project"]["objectives"] == "Soutenir les parents."
    assert patched["application"]["project"]["means"] is None
    assert api.application(created["id"], "asso")["application"]["project"]["public"] == "Familles"


def test_a_project_with_an_unknown_part_or_a_bad_text_is_422_naming_the_field(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    path = "/applications"
    for project, field in (
        ({"objectifs": "Une clé inconnue"}, "application.project.objectifs"),
        ({"means": "Deux\x00bénévoles"}, "application.project.means"),
        ({"evaluation": "x" * 5001}, "application.project.evaluation"),
        ({"public": 12}, "application.project.public"),
        ("Un texte au lieu d'un objet", "application.project"),
    ):
        payload = {
            "call_id": reaap_call["id"],
            "title": "Café des parents",
            "application": reaap_body(project=project),
        }
        api.invalid(field, "asso", "POST", path, json=payload)


def test_a_funder_reads_the_project_of_a_file_it_is_asked_for(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    created = api.draft(reaap_call["id"], reaap_body(project=PROJECT))
    api.submit(created["id"])
    assert api.application(created["id"], "caf1")["application"]["project"] == PROJECT


def test_the_session_pack_shows_each_file_with_its_project_to_the_committee_only(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    from tests.api.conftest import pdf_text

    described = api.eligible(reaap_call["id"], reaap_body(project=PROJECT))
    silent = api.eligible(reaap_call["id"], title="Atelier sans description")
    meeting = api.session(reaap_call["id"])
    api.agenda(meeting["id"], [described["id"], silent["id"]])
    for user in ("chair", "caf1"):
        response = api.get(user, f"/sessions/{meeting['id']}/pack")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "Dossier de séance" in text
        assert "Objectifs du projet" in text
        assert "Un café des parents chaque samedi matin." in text
        assert "Le porteur n'a pas décrit son projet." in text
        assert "Calculé par les règles" in text
    assert api.get("asso", f"/sessions/{meeting['id']}/pack").status_code == 403
