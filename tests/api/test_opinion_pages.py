"""Opinions on the pages: a member gives and changes its opinion from the file page, the session
screen shows it beside the plan, members download the session pack from their pages."""

from __future__ import annotations

from typing import Any

from tests.api.test_agreement_pages import post
from tests.api.test_plugin_package import page


def test_a_member_gives_its_opinion_from_the_file_page_and_the_session_screen_shows_it(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    file = api.eligible(reaap_call["id"])
    meeting = api.session(reaap_call["id"])
    api.agenda(meeting["id"], [file["id"]])
    file_page = f"/dossiers/{file['id']}"
    text = page(api, "caf1", file_page)
    assert "Avis des membres avant la séance" in text and "Donner mon avis" in text
    assert "Donner mon avis" not in page(api, "chair", file_page)  # the chair gives none
    assert "Avis des membres" not in page(api, "asso", file_page)  # nor sees them here

    action = f"{file_page}/parts/caf/avis"
    refused = post(api, "caf1", action, data={"opinion": "peut-être"})
    assert refused.status_code == 422
    assert "Choisissez une des valeurs proposées." in refused.text
    given = post(api, "caf1", action, data={"opinion": "reserved", "opinion_comment": "À voir."})
    assert given.status_code == 303, given.text
    text = page(api, "caf1", file_page)
    assert (
        "Caf1 (Caf de l'Isère)</strong> : réservé. À voir." in text and "Modifier mon avis" in text
    )
    post(api, "caf1", action, data={"opinion": "favourable"})
    assert "Caf1 (Caf de l'Isère)</strong> : favorable" in page(api, "caf1", file_page)

    screen = page(api, "dep1", f"/seances/{meeting['id']}")
    assert "Caf1 (Caf de l'Isère) : favorable" in screen
    assert f'href="/seances/{meeting["id"]}/dossier-de-seance"' in screen
    assert f'href="/seances/{meeting["id"]}/dossier-de-seance"' in page(api, "caf1", "/seances")
    token = api.headers["caf1"]["Authorization"].removeprefix("Bearer ")
    pack = api.client.get(
        f"/seances/{meeting['id']}/dossier-de-seance",
        headers={"Cookie": f"cofinance_session={token}"},
    )
    assert pack.status_code == 200 and pack.content.startswith(b"%PDF-")
    assert "Caf1 (Caf de l'Isère) : favorable." in api.pdf_text(pack.content)
