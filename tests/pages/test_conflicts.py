"""A member declares a conflict of interest from the session screen, in the browser: refused
without a reason, then recorded; the file is marked on the screen (for the chair too), and the
member finds it on its page « Mes déclarations d'intérêts ». Every page is checked with axe."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from engine.db import Database
from engine.settings import Settings
from tests.api.conftest import Api
from tests.conftest import Seeded

MARK = "Conflit d'intérêts : Caf1 (Caf de l'Isère) ne prend pas part à la décision."


def test_a_member_declares_a_conflict_and_sees_the_file_marked(
    visitors: Any, seeded: Seeded, db: Database, settings: Settings
) -> None:
    api = Api(seeded, db, settings)
    call = api.call()
    cafe = api.eligible(call["id"], title="Café des parents")
    api.eligible(call["id"], user="other", title="Ateliers du mercredi")
    meeting = api.session(call["id"], title="Comité de décembre")
    api.agenda(meeting["id"], [cafe["id"]])
    api.move(meeting["id"], "convene")
    session_url = f"/seances/{meeting['id']}"

    caf = visitors("caf1")
    caf.goto(session_url)
    section = caf.page.locator("#conflits")
    expect(section).to_contain_text("Aucun conflit d'intérêts")
    caf.check("c01-financeur-seance-sans-conflit")

    # Without a reason: refused, said in French next to the field, nothing recorded.
    form = caf.page.locator("form.cf-conflict-form")
    form.locator("#conflit-dossier").select_option(str(cafe["id"]))
    form.get_by_role("button", name="Déclarer le conflit d'intérêts").click()
    expect(caf.page.locator("#conflit-motif-erreur")).to_have_text("Indiquez un motif.")
    caf.check("c02-financeur-conflit-sans-motif")
    assert api.ok(api.get("chair", f"/sessions/{meeting['id']}/conflicts")) == []

    form = caf.page.locator("form.cf-conflict-form")
    form.locator("#conflit-dossier").select_option(str(cafe["id"]))
    form.locator("#conflit-motif").fill("Je siège au bureau de l'association.")
    form.get_by_role("button", name="Déclarer le conflit d'intérêts").click()
    expect(caf.page.get_by_text("Votre conflit d'intérêts est enregistré")).to_be_visible()
    expect(caf.page.locator(".cf-conflict-mark")).to_have_text(MARK)
    expect(caf.page.locator("#conflits li")).to_contain_text("Je siège au bureau")
    caf.check("c03-financeur-conflit-declare")

    # The member's own page lists it, linked from its menu.
    caf.page.get_by_role("link", name="Mes déclarations d'intérêts").first.click()
    expect(caf.page.locator("h1")).to_have_text("Mes déclarations d'intérêts")
    row = caf.page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Café des parents")
    expect(row).to_contain_text("Déclaré par le membre")
    caf.check("c04-financeur-mes-declarations")

    # The chair sees the file marked, and records one for another member.
    chair = visitors("chair")
    chair.goto(session_url)
    expect(chair.page.locator(".cf-conflict-mark")).to_have_text(MARK)
    form = chair.page.locator("form.cf-conflict-form")
    form.locator("#conflit-dossier").select_option(str(cafe["id"]))
    form.locator("#conflit-membre").select_option("dep1")
    form.locator("#conflit-motif").fill("Conjoint salarié de l'association.")
    form.get_by_role("button", name="Enregistrer le conflit d'intérêts").click()
    expect(chair.page.get_by_text("ce membre ne prend pas part")).to_be_visible()
    expect(chair.page.locator(".cf-conflict-mark")).to_have_text(
        re.compile("Caf1 .*Dep1 .*ne prennent pas part")
    )
    chair.check("c05-presidence-conflit-enregistre")

    # In session, the member finds no decision form on that file, only why.
    api.move(meeting["id"], "open")  # every member recorded present first
    caf.goto(session_url)
    block = caf.page.locator(f"#decision-{cafe['id']}")
    expect(block.locator(".cf-recused")).to_contain_text("Vous ne prenez pas part")
    expect(block.locator("form.cf-decision")).to_have_count(0)
    caf.check("c06-financeur-seance-ouverte-sans-decision")
