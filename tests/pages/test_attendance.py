"""The chair records the attendance on the session screen, in the browser: the opening refused
without the quorum, a represented member without a proxy refused next to its line, then the
attendance recorded, the quorum met, the attendance sheet downloaded, the session opened, the
absent funder's decision refused on its screen. Every page is checked with axe."""

from __future__ import annotations

import io
import re
from typing import Any

from playwright.sync_api import expect
from pypdf import PdfReader

from engine.db import Database
from engine.settings import Settings
from tests.api.conftest import Api
from tests.conftest import Seeded


def test_the_chair_records_the_attendance_and_opens_the_session(
    visitors: Any, seeded: Seeded, db: Database, settings: Settings
) -> None:
    api = Api(seeded, db, settings)
    call = api.call()
    cafe = api.eligible(call["id"], title="Café des parents")
    meeting = api.session(call["id"], title="Comité de décembre")
    api.agenda(meeting["id"], [cafe["id"]])
    api.move(meeting["id"], "convene")
    session_url = f"/seances/{meeting['id']}"

    chair = visitors("chair")
    chair.goto(session_url)
    section = chair.page.locator("#presences")
    expect(section).to_contain_text("Quorum non atteint")
    chair.check("p01-presidence-presences-vides")

    # Without attendance the session does not open: the quorum is not met, said in French.
    chair.page.get_by_role("button", name="Ouvrir la séance").click()
    expect(chair.page.get_by_text("Le quorum n'est pas atteint")).to_be_visible()
    chair.check("p02-presidence-ouverture-sans-quorum")

    # A member represented needs its proxy: refused beside the line, nothing recorded.
    chair.goto(session_url)
    chair.page.get_by_label("Présence de Caf1").select_option("present")
    chair.page.get_by_label("Présence de Msa1").select_option("represented")
    chair.page.get_by_role("button", name="Enregistrer les présences").click()
    expect(chair.page.get_by_text("Indiquez le membre présent qui le représente.")).to_be_visible()
    chair.check("p03-presidence-mandataire-manquant")
    assert not [
        a
        for a in api.ok(api.get("chair", f"/sessions/{meeting['id']}/attendance"))["attendees"]
        if a["status"]
    ]

    chair.goto(session_url)
    chair.page.get_by_label("Présence de Caf1").select_option("present")
    chair.page.get_by_label("Présence de Caf2").select_option("excused")
    chair.page.get_by_label("Présence de Dep1").select_option("present")
    chair.page.get_by_label("Présence de Msa1").select_option("represented")
    chair.page.get_by_label("Mandataire de Msa1").select_option(label="Dep1")
    chair.page.get_by_role("button", name="Enregistrer les présences").click()
    expect(chair.page.get_by_text("Les présences sont enregistrées.")).to_be_visible()
    expect(section).to_contain_text("Quorum atteint")
    expect(section).to_contain_text("3 financeur(s) sur 4")
    expect(chair.page.get_by_label("Mandataire de Msa1")).to_have_value("dep1")
    chair.check("p04-presidence-presences-enregistrees")

    # The attendance sheet to sign lists every member.
    with chair.page.expect_download() as download:
        chair.page.get_by_role("link", name=re.compile("feuille de présence")).click()
    content = download.value.path().read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for name in ("Caf1", "Caf2", "Etat1", "Dep1", "Msa1"):
        assert name in text, name

    chair.page.get_by_role("button", name="Ouvrir la séance").click()
    expect(chair.page.get_by_text("La séance est ouverte.")).to_be_visible()
    # The State is absent: the close will defer its share, and the chair is told so.
    expect(chair.page.locator(".cf-deferred-at-close")).to_contain_text(
        "Préfecture de l'Isère n'était ni présent ni représenté"
    )
    chair.check("p05-presidence-seance-ouverte")

    # A member of the session sees the attendance, without the form.
    caf = visitors("caf1")
    caf.goto(session_url)
    expect(caf.page.locator("#presences")).to_contain_text("Msa1 (MSA Alpes du Nord) : ")
    expect(caf.page.locator("form.cf-attendance")).to_have_count(0)
    caf.check("p06-financeur-presences")

    # The State, absent, decides nothing: said on its screen, in French.
    etat = visitors("etat1")
    etat.goto(session_url)
    form = etat.page.locator("form.cf-decision")
    form.get_by_text("Refuser", exact=True).click()
    form.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    expect(etat.page.get_by_text("n'est ni présent ni représenté à la séance")).to_be_visible()
    etat.check("p07-financeur-absent")
