"""The whole road in a real browser: a holder files and submits, two funders propose, the chair
runs the session, the funders decide, the chair closes, the holder downloads the letter."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import expect

from engine.clock import PARIS
from tests.pages.conftest import PDF, attend_all

DOCUMENTS = [
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
]


def fill(page: Any, name: str, value: str) -> None:
    page.locator(f'[name="{name}"]').fill(value)


def choose(page: Any, name: str, value: str) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check(force=True)


def fill_reaap_form(page: Any) -> None:
    year = datetime.now(UTC).year
    fill(page, "application.holder.name", "Café des parents de l'Abbaye")
    page.select_option('[name="application.holder.kind"]', "association")
    fill(page, "application.holder.siret", "787 789 320 87925")
    fill(page, "application.holder.rna", "W381000123")
    choose(page, "application.holder.cer_signed", "oui")
    fill(page, "title", "Café des parents de l'Abbaye")
    choose(page, "application.renewal", "non")
    choose(page, "application.previous_report_filed", "non")
    fill(page, "application.territory", "38185")
    fill(page, "application.period.start", f"{year}-02-01")
    fill(page, "application.period.end", f"{year}-12-15")
    fill(page, "application.budget.total_cost", "6 000,00")
    fill(page, "application.budget.investment_costs", "0")
    fill(page, "application.budget.other_resources", "1 000")
    fill(page, "application.requests.caf", "3 000,00")
    fill(page, "application.requests.departement", "1000")
    fill(page, "application.requests.msa", "1000")
    fill(page, "application.facts.children_max_age", "18")
    choose(page, "application.facts.open_to_all", "oui")
    page.select_option('[name="application.facts.modality"]', "parent_exchange")
    choose(page, "application.facts.therapeutic", "non")
    choose(page, "application.facts.parents_involved", "oui")
    fill(page, "application.facts.fee_per_session", "0")
    choose(page, "application.facts.commercial", "non")
    choose(page, "application.facts.reaap_charter_signed", "oui")
    choose(page, "application.facts.laicite_charter_accepted", "oui")
    fill(page, "application.facts.staff_cost_share", "0,5")


def test_from_filing_to_letter(visitors: Any, reaap_call: dict[str, Any]) -> None:
    call_id = reaap_call["id"]

    # --- the holder files, with inline validation and the simulator first
    holder = visitors()
    holder.goto("/")
    expect(holder.page).to_have_url(re.compile(r"/connexion"))
    holder.check("01-connexion")
    holder.login("asso")
    expect(holder.page.get_by_role("heading", name="Aucune demande pour l'instant")).to_be_visible()
    holder.check("02-porteur-demandes-vide")
    holder.page.get_by_role("link", name="Nouvelle demande", exact=True).first.click()
    holder.check("03-porteur-choix-appel")
    holder.page.get_by_role("link", name="Appel à projets Reaap 2026").click()
    expect(
        holder.page.get_by_role("heading", name="Nouvelle demande de subvention")
    ).to_be_visible()
    holder.check("04-porteur-formulaire")

    page = holder.page
    fill(page, "title", "Café des parents")
    fill(page, "application.budget.total_cost", "six mille")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    siret_error = page.locator("#f-application-holder-siret-erreur")
    expect(siret_error).to_have_text("Ce champ est obligatoire.")
    expect(page.locator("#f-application-budget-total-cost-erreur")).to_contain_text(
        "Saisissez un nombre"
    )
    expect(page.locator('[name="application.budget.total_cost"]')).to_have_value("six mille")
    holder.check("05-porteur-formulaire-erreurs")

    fill_reaap_form(page)
    page.get_by_role("button", name="Simuler les propositions des financeurs").click()
    simulation = page.locator("#resultat-simulation")
    expect(simulation).to_contain_text("Caf de l'Isère")
    expect(simulation.get_by_role("row", name=re.compile("Caf de l'Isère"))).to_contain_text(
        "3\u202f000,00\u00a0€"
    )
    expect(simulation.get_by_role("row", name=re.compile("MSA"))).to_contain_text(
        "Décidé en séance"
    )
    holder.check("06-porteur-simulation")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("La demande est enregistrée en brouillon.")).to_be_visible()
    file_url = page.url.split("?")[0]
    application_id = int(file_url.rstrip("/").rsplit("/", 1)[1])

    for kind in DOCUMENTS:
        page.select_option("#f-kind", kind)
        page.set_input_files(
            "#f-file", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        page.get_by_role("button", name="Joindre les pièces").click()
        expect(page.get_by_text("La pièce est jointe au dossier.")).to_be_visible()
    holder.check("07-porteur-dossier-brouillon")
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.get_by_text("La demande est déposée")).to_be_visible()
    expect(page.locator("h1 + p + .fr-badge")).to_have_text("Recevable")
    holder.check("08-porteur-dossier-depose")

    # --- two funders propose their amount
    caf = visitors("caf1")
    caf.check("09-financeur-dossiers")
    caf.page.select_option("#filtre-appel", str(call_id))
    caf.page.get_by_role("button", name="Filtrer").click()
    caf.page.get_by_role("link", name="Café des parents de l'Abbaye").click()
    # The calculation in words; the raw trace is folded away for experts.
    expect(caf.page.locator(".cf-explanation")).to_contain_text(
        "Part Caf plafonnée à une fraction du coût"
    )
    caf.page.get_by_text("Trace technique (pour les experts)").click()
    caf.page.get_by_role("button", name=re.compile("Part de Caf de l'Isère")).click()
    expect(caf.page.get_by_text("caf.reaap.max_share")).to_be_visible()
    caf.check("10-financeur-dossier-trace")
    fill(caf.page, "amount", "2 800,00")
    caf.page.get_by_role("button", name="Enregistrer la proposition").click()
    expect(caf.page.get_by_text("Votre proposition est enregistrée.")).to_be_visible()

    msa = visitors("msa1")
    msa.goto(f"/dossiers/{application_id}")
    fill(msa.page, "amount", "1 500")
    msa.page.get_by_role("button", name="Enregistrer la proposition").click()
    expect(msa.page.locator("#f-amount-erreur")).to_contain_text("dépasse le montant demandé")
    msa.check("11-financeur-proposition-erreur")
    fill(msa.page, "amount", "800")
    msa.page.get_by_role("button", name="Enregistrer la proposition").click()
    expect(msa.page.get_by_text("Votre proposition est enregistrée.")).to_be_visible()
    caf.goto("/financeur/enveloppes")
    expect(
        caf.page.get_by_text("accordé 0,00\u00a0€ — proposé 2\u202f800,00\u00a0€")
    ).to_be_visible()
    caf.check("12-financeur-enveloppes")

    # --- the chair plans the session, builds the agenda, convenes and opens it
    chair = visitors("chair")
    chair.check("13-presidence-tableau-de-bord")
    chair.goto("/comite/dossiers")
    chair.check("14-presidence-dossiers")
    chair.goto("/appels")
    chair.check("15-presidence-appels")
    chair.goto("/seances")
    chair.check("16-presidence-seances-vide")
    chair.page.get_by_role("link", name="Nouvelle séance").click()
    chair.page.locator(f"#f-call-{call_id}").check(force=True)
    fill(chair.page, "title", "Comité du printemps")
    # Today: a session opens only from its day (tests/pages/test_chair_meeting.py moves it).
    today = datetime.now(UTC).astimezone(PARIS).date()
    fill(chair.page, "starts_at", f"{today.isoformat()}T08:00")
    fill(chair.page, "location", "Hôtel du Département, Grenoble")
    chair.check("17-presidence-nouvelle-seance")
    chair.page.get_by_role("button", name="Créer la séance").click()
    expect(chair.page.get_by_text("La séance est créée.")).to_be_visible()
    session_url = chair.page.url.split("?")[0]
    chair.page.get_by_label(re.compile("Café des parents de l'Abbaye")).check(force=True)
    chair.page.get_by_role("button", name="Enregistrer l'ordre du jour").click()
    expect(chair.page.get_by_text("L'ordre du jour est enregistré.")).to_be_visible()
    chair.check("18-presidence-seance-planifiee")
    chair.page.get_by_role("button", name="Convoquer").click()
    expect(chair.page.get_by_text("La séance est convoquée")).to_be_visible()
    attend_all(chair)
    chair.page.get_by_role("button", name="Ouvrir la séance").click()
    expect(chair.page.get_by_text("La séance est ouverte.")).to_be_visible()
    live = chair.page.locator("#seance-direct")
    expect(live.get_by_text("Accordée")).to_have_count(0)
    chair.check("19-presidence-seance-ouverte")

    # --- in session each funder decides its share; the chair's screen follows by itself
    for visitor, amount in ((caf, "2800"), (visitors("dep1"), "1000"), (msa, "800")):
        visitor.goto(session_url)
        form = visitor.page.locator("form.cf-decision")
        form.locator('input[name="amount"]').fill(amount)
        form.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
        expect(visitor.page.get_by_text("La décision est enregistrée.")).to_be_visible()
    caf.check("20-financeur-seance-decision")
    expect(live.get_by_text("Accordée")).to_have_count(3, timeout=15_000)
    expect(live).to_contain_text("accordé 2\u202f800,00\u00a0€")
    chair.check("21-presidence-seance-decisions")

    # --- the chair closes: the decisions are locked, letters and minutes produced right after
    chair.page.reload()
    chair.page.get_by_role("link", name="Clore la séance…").click()
    chair.page.get_by_label(re.compile("Je confirme la clôture")).check(force=True)
    chair.page.get_by_role("button", name="Clore la séance").click()
    expect(chair.page.get_by_text("La séance est close")).to_be_visible()
    with chair.page.expect_download() as minutes:
        chair.page.get_by_role("link", name="Télécharger le procès-verbal").click()
    assert minutes.value.path().read_bytes().startswith(b"%PDF")
    chair.check("22-presidence-seance-close")
    chair.goto("/tableau-de-bord")
    chair.check("23-presidence-tableau-de-bord-apres")

    # --- the holder sees the decision and downloads the letter
    holder.goto(file_url)
    expect(holder.page.locator("h1 + p + .fr-badge")).to_have_text(re.compile("Notifié|Décidé"))
    expect(holder.page.locator(".cf-timeline")).to_contain_text("Décider en séance")
    letter_link = holder.page.locator("a.fr-link--download").first
    with holder.page.expect_download() as letter:
        letter_link.click()
    assert letter.value.path().read_bytes().startswith(b"%PDF")
    holder.check("24-porteur-dossier-decide")
    holder.goto("/demandes")
    holder.check("25-porteur-demandes")
