"""The final financial report in a real browser: the holder opens the CERFA 15059 form from its
notified file (the forecast prefilled), writes the actual figures and submits; a funder that
granted a share approves it from its file page, then the second one, and the report is approved."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from engine.db import Database
from engine.settings import Settings
from tests.api.conftest import Api
from tests.api.test_final_reports import notified
from tests.conftest import Seeded


def test_the_holder_files_its_report_and_the_funders_approve_it(
    visitors: Any, seeded: Seeded, db: Database, settings: Settings
) -> None:
    file_id = notified(Api(seeded, db, settings))

    holder = visitors("asso")
    page = holder.page
    holder.goto(f"/dossiers/{file_id}")
    section = page.locator("#compte-rendu-section")
    expect(section).to_contain_text("Attendu")
    expect(section).to_contain_text("15 juin 2028")
    section.get_by_role("link", name="Remplir le compte rendu financier").click()
    page.wait_for_url(f"**/dossiers/{file_id}/compte-rendu")
    # The forecast column comes from the application's budget and the shares granted.
    expect(page.locator("#f-0-label")).to_have_value("Coût total de l'action")
    expect(page.locator("#f-0-forecast")).to_have_value("6000,00")
    expect(page.locator("#f-1-forecast")).to_have_value("3000,00")
    holder.check("report-form")

    # Charges that do not add up: refused, the form kept with its French error.
    page.locator("#f-0-actual").fill("5 800,00")
    page.locator("#f-actual-total-cost").fill("6 000,00")
    page.locator("#f-actual-other-resources").fill("900")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#erreurs")).to_contain_text("doit être égal au coût total réalisé")
    expect(page.locator("#f-0-actual")).to_have_value("5 800,00")
    holder.check("report-form-error")

    page.locator("#f-actual-total-cost").fill("5 800,00")
    page.locator("#f-1-actual").fill("3000")
    page.locator("#f-2-actual").fill("1200")
    page.locator("#f-3-actual").fill("900")
    page.locator("#f-activity-parents").fill("42")
    page.locator("#f-activity-children").fill("30")
    page.locator("#f-activity-sessions").fill("18")
    page.locator("#f-narrative").fill("Dix-huit rencontres, une fréquentation en hausse.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("body")).to_contain_text("Le compte rendu financier est enregistré.")
    # The gap in euros and in percent of the forecast, once saved.
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("-200,00")
    expect(row).to_contain_text("-3,3 %")
    page.get_by_role("button", name="Transmettre le compte rendu").click()
    page.wait_for_url(f"**/dossiers/{file_id}?ok=report_submitted*")
    expect(page.locator("#compte-rendu-section")).to_contain_text("Transmis")
    holder.check("report-submitted")

    for username in ("caf1", "dep1"):
        funder = visitors(username)
        fpage = funder.page
        funder.goto(f"/dossiers/{file_id}")
        section = fpage.locator("#compte-rendu-section")
        section.get_by_label("Approuver le compte rendu").check(force=True)
        funder.check(f"report-review-{username}")
        section.get_by_role("button", name="Enregistrer l'avis").click()
        expect(fpage.locator("body")).to_contain_text("Votre avis sur le compte rendu")
        expect(fpage.locator("#compte-rendu-section")).to_contain_text("approuvé")

    holder.goto(f"/dossiers/{file_id}")
    expect(page.locator("#compte-rendu-section")).to_contain_text("Approuvé")
    page.get_by_role("link", name="Voir le compte rendu financier").click()
    expect(page.locator("body")).to_contain_text("Dix-huit rencontres")
    holder.check("report-approved")
