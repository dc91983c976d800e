"""A funder's payments page in a real browser: a member of the Caf orders its advance with the
accounting reference, then marks it paid; the list, its filters and its CSV link stay French."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from engine.access import SYSTEM
from engine.clock import now
from engine.db import Database
from engine.models import Application, Share
from engine.services.payments import open_payments
from tests.conftest import Seeded
from tests.pages.conftest import file_application


def notified_with_payments(seeded: Seeded, db: Database, call_id: int) -> int:
    """A filed file of `asso`, its shares granted and notified, its payments opened as the
    agreement's hook opens them."""
    application_id = int(file_application(seeded, call_id)["id"])
    with db.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        application.state, application.reference = "notified", "REAAP-2026-0007"
        application.submitted_at = now()
        for share in session.exec(select(Share).where(Share.application_id == application_id)):
            share.state, share.granted = "granted", share.requested
            session.flush()
            open_payments(session, share, SimpleNamespace(id=1, state="in_force"), SYSTEM)
    return application_id


def test_a_funder_orders_then_marks_paid_an_advance(
    seeded: Seeded, db: Database, reaap_call: dict[str, Any], visitors: Any
) -> None:
    notified_with_payments(seeded, db, reaap_call["id"])
    caf = visitors("caf1")
    page = caf.page
    page.get_by_role("link", name="Versements").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Versements de votre organisme")
    expect(page.get_by_role("link", name="Exporter (CSV, virgule décimale)")).to_be_visible()
    caf.check("funder-payments")

    page.get_by_label("Nature").select_option("advance")
    page.get_by_role("button", name="Filtrer").click()
    row = page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Acompte")
    expect(row).to_contain_text("À ordonnancer")

    row.get_by_label("Référence du mandat").fill("M-2026-0815")
    row.get_by_role("button", name="Ordonnancer").click()
    expect(page.get_by_text("Le versement est ordonnancé.")).to_be_visible()
    row = page.locator("tbody tr")
    expect(row).to_contain_text("Ordonnancé")
    expect(row).to_contain_text("M-2026-0815")

    row.get_by_role("button", name="Marquer payé").click()
    expect(page.get_by_text("Le versement est marqué payé.")).to_be_visible()
    expect(page.locator("tbody tr")).to_contain_text("Payé")
    assert "nature=advance" in page.url  # back to the list as it was filtered
    caf.check("funder-payment-paid")

    chair = visitors("chair")
    chair.page.get_by_role("link", name="Suivi financier").click()
    expect(chair.page.get_by_role("heading", level=1)).to_have_text("Suivi des dossiers financés")
    chair.check("chair-follow-up")
