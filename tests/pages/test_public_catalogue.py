"""The public catalogue in a real browser, without an account: a parent finds the actions of
Voiron by typing "voir" in the commune picker; the search also works without JavaScript."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from engine.db import Database
from tests.api.test_public import action_row, call_row
from tests.conftest import PASSWORD


def _funded(db: Database) -> None:
    reaap = call_row(db)
    action_row(db, reaap, "Café des parents de Voiron", ["38563"])
    action_row(db, reaap, "Ateliers parents-enfants à Grenoble", ["38185"])
    action_row(db, reaap, "Action refusée à Voiron", ["38563"], granted=(), refused=("caf",))
    moment = datetime.now(UTC)
    call_row(db, "laep", "open", title="Lieux d'accueil 2027", closes_at=moment + timedelta(days=9))


def test_an_anonymous_visitor_finds_the_actions_of_voiron_from_voir(
    db: Database, visitors: Any
) -> None:
    _funded(db)
    parent = visitors()
    page = parent.page
    # From the sign-in page, without an account.
    parent.goto("/connexion")
    page.get_by_role("link", name="découvrez les actions financées près de chez vous").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("soutien à la parentalité")
    expect(page.get_by_text("Lieux d'accueil 2027")).to_be_visible()
    expect(page.get_by_text("Date limite :")).to_be_visible()
    parent.check("public-01-accueil")
    page.get_by_role("link", name="Trouver une action près de chez vous").click()
    expect(page.get_by_text("Café des parents de Voiron")).to_be_visible()
    expect(page.get_by_text("Ateliers parents-enfants à Grenoble")).to_be_visible()
    parent.check("public-02-actions")

    # The picker suggests Voiron from "voir"; the visitor picks it and searches.
    search = page.get_by_label("Commune")
    search.fill("voir")
    suggestions = page.locator("#f-commune-suggestions option")
    expect(suggestions.first).to_have_attribute("value", "Voiron (38563)")
    search.fill("Voiron (38563)")  # what picking the suggestion writes in the field
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/decouvrir/actions?*")
    expect(page.get_by_role("heading", name="Café des parents de Voiron")).to_be_visible()
    expect(page.get_by_text("Ateliers parents-enfants à Grenoble")).to_have_count(0)
    expect(page.get_by_text("Action refusée à Voiron")).to_have_count(0)
    expect(page.get_by_text("1 action financée")).to_be_visible()
    expect(search).to_have_value("Voiron (38563)")
    parent.check("public-03-actions-voiron")

    # The map of the territory, with its data table, for the same anonymous visitor.
    page.get_by_role("link", name="Carte du territoire").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Carte du territoire")
    expect(page.locator("table").get_by_role("rowheader", name="Voiron")).to_be_visible()
    parent.check("public-05-carte")

    # The calls, with their deadline and where to apply.
    page.get_by_role("link", name="Appels à projets ouverts", exact=True).first.click()
    expect(page.get_by_role("heading", name="Lieux d'accueil 2027")).to_be_visible()
    page.get_by_role("link", name="Déposer une demande").click()
    expect(page).to_have_url(re.compile(r"/connexion\?suivant="))
    parent.goto("/decouvrir/appels")
    parent.check("public-04-appels")

    # A holder follows the same link, signs in and lands on the form of that call.
    page.get_by_role("link", name="Déposer une demande").click()
    page.locator("#f-username").fill("asso")
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/demandes/nouvelle\?appel=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_the_search_works_without_javascript_and_says_which_field_is_wrong(
    db: Database, browser: Any, live_server: Any
) -> None:
    _funded(db)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/decouvrir/actions")
        page.get_by_label("Commune").fill("voir")
        page.get_by_role("button", name="Rechercher").click()
        expect(page.get_by_text("Commune inconnue : voir")).to_be_visible()
        page.get_by_role("link", name="Voiron (38563)").click()  # what the picker would offer
        expect(page.get_by_role("heading", name="Café des parents de Voiron")).to_be_visible()
        expect(page.get_by_text("Ateliers parents-enfants à Grenoble")).to_have_count(0)
        page.get_by_label("Commune").fill("grenoble")  # a name typed in full
        page.get_by_role("button", name="Rechercher").click()
        expect(
            page.get_by_role("heading", name="Ateliers parents-enfants à Grenoble")
        ).to_be_visible()
        expect(page.get_by_text("Café des parents de Voiron")).to_have_count(0)
    finally:
        context.close()
