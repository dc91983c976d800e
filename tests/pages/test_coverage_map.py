"""The coverage map in a real browser: the chair opens it from the menu, sees the communes
coloured with the legend, the table of the communes with an action and the lists of those
without; the year and scheme selectors redraw it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from engine.clock import now
from engine.db import Database
from engine.models import Application, Share
from tests.conftest import Seeded
from tests.pages.conftest import file_application


def funded_in_grenoble(seeded: Seeded, db: Database, call_id: int) -> int:
    """A café des parents in Grenoble, filed this year, its shares granted and notified."""
    application_id = int(file_application(seeded, call_id)["id"])
    with db.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        application.state, application.reference = "notified", "REAAP-2026-0007"
        application.submitted_at = now()
        for share in session.exec(select(Share).where(Share.application_id == application_id)):
            share.state, share.granted = "granted", share.requested
    return now().year


def test_the_chair_sees_the_coverage_map_with_its_table(
    seeded: Seeded, db: Database, reaap_call: dict[str, Any], visitors: Any
) -> None:
    year = funded_in_grenoble(seeded, db, reaap_call["id"])
    chair = visitors("chair")
    page = chair.page
    page.get_by_role("link", name="Carte du territoire").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Couverture du territoire par les actions financées"
    )
    expect(page.get_by_label("Année de financement")).to_have_value(str(year))
    figure = page.get_by_role(
        "img",
        name=f"Actions financées pour 1 000 habitants par commune en {year}, tous les dispositifs",
    )
    expect(figure).to_be_visible()
    expect(page.locator("svg.cf-map path")).to_have_count(512)
    grenoble = page.locator('svg.cf-map path[data-insee="38185"]')
    voiron = page.locator('svg.cf-map path[data-insee="38563"]')
    assert grenoble.get_attribute("fill") != voiron.get_attribute("fill")
    expect(page.locator("svg.cf-map")).to_contain_text("Aucune action (511 communes)")

    table = page.get_by_role(
        "table",
        name=f"Actions financées pour 1 000 habitants par commune en {year}, tous les dispositifs",
    )
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Grenoble")
    expect(rows.first).to_contain_text("Grenoble-Alpes-Métropole")
    expect(page.get_by_role("heading", name="Communes sans action (511)")).to_be_visible()
    voironnais = page.locator("details", has_text="CA du Pays Voironnais")
    voironnais.locator("summary").click()
    expect(voironnais.locator("p")).to_be_visible()
    expect(voironnais.locator("p")).to_contain_text("Voiron")
    chair.check("coverage-map")

    page.get_by_label("Dispositif", exact=True).select_option("clas")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("Aucune commune n'a d'action financée")).to_be_visible()
    expect(page.locator('svg.cf-map path[data-insee="38185"]')).to_have_attribute(
        "fill", voiron.get_attribute("fill") or ""
    )
