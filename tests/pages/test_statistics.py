"""The statistics page in a real browser: the chair reaches it from the menu, reads each chart
followed by its table, narrows to a scheme; a funder sees it too, a holder does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from engine.access import SYSTEM
from engine.audit import record
from engine.clock import now
from engine.db import Database
from engine.models import Application
from tests.conftest import Seeded
from tests.pages.test_payments import notified_with_payments


def test_the_chair_reads_the_charts_and_their_tables(
    seeded: Seeded, db: Database, reaap_call: dict[str, Any], visitors: Any
) -> None:
    application_id = notified_with_payments(seeded, db, reaap_call["id"])
    with db.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        application.submitted_at = now() - timedelta(days=12)
        record(
            session,
            "application",
            application_id,
            "notify",
            SYSTEM,
            from_state="decided",
            to_state="notified",
            application_id=application_id,
        )
    year = str(now().year)
    chair = visitors("chair")
    page = chair.page
    page.get_by_role("link", name="Statistiques").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques du territoire")
    expect(page.get_by_label("Année de financement")).to_have_value(year)
    # five charts (scheme, funder, EPCI, commune, processing), each with its data table
    expect(page.locator("svg.cf-chart[role=img]")).to_have_count(5)
    expect(page.locator("table")).to_have_count(7)
    schemes = page.get_by_role("table", name=f"Montants par dispositif, {year}")
    expect(schemes).to_contain_text("Reaap — Réseaux d'écoute")
    expect(schemes).to_contain_text("5 000,00")  # requested: 3 000 + 1 000 + 1 000
    funders = page.get_by_role("table", name=f"Montants par financeur, {year}")
    expect(funders.get_by_role("row", name="Caf de l'Isère")).to_contain_text("20 000,00")
    epcis = page.get_by_role("table", name=f"Montants par intercommunalité, {year}")
    expect(epcis).to_contain_text("Grenoble-Alpes-Métropole")
    communes = page.get_by_role("table", name=f"Toutes les communes concernées, {year}")
    grenoble = communes.get_by_role("row", name="Grenoble")
    expect(grenoble).to_contain_text("156 140")
    expect(grenoble).to_contain_text("32,02")  # 5 000 € for 156 140 inhabitants, per 1 000
    delays = page.get_by_role("table", name=f"Délais de traitement, {year}")
    expect(delays.get_by_role("row", name="Médiane")).to_contain_text("12")
    chair.check("statistics-chair")

    page.get_by_label("Dispositif", exact=True).select_option(
        label="Clas — Contrat local d'accompagnement à la scolarité"
    )
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text(f"Aucune demande déposée pour {year}, Clas")).to_be_visible()
    expect(page.locator("svg.cf-chart")).to_have_count(0)
    chair.check("statistics-chair-empty")

    caf = visitors("caf1")
    caf.page.get_by_role("link", name="Statistiques").first.click()
    expect(caf.page.get_by_role("heading", level=1)).to_have_text("Statistiques du territoire")
    holder = visitors("asso")
    response = holder.goto("/statistiques")
    assert response is not None and response.status == 403
