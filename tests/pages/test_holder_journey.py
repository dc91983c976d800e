"""What the holder used to trip over, in a real browser: the organisation profile and its
reusable documents, communes picked by name, groups added with a button, rates typed as
percentages, errors beside their fields, an incomplete file said so, several files uploaded at
once, last year's application copied. Axe checks every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import Seeded
from tests.pages.conftest import PDF, open_call
from tests.pages.test_flow import choose, fill, fill_reaap_form

REUSABLE = ["rib", "statuts", "officers_list", "approved_accounts", "activity_report"]


@pytest.fixture
def clas_call(seeded: Seeded) -> dict[str, Any]:
    """An open Clas call in which the Caf and the Département take part."""
    envelopes = {"caf": "50000.00", "departement": "20000.00"}
    return open_call(seeded, "clas", "Appel à projets Clas", envelopes)


def _pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _school_year() -> int:
    today = datetime.now(UTC)
    return today.year if today.month >= 9 else today.year - 1


def test_the_holder_keeps_a_profile_files_a_clas_application_and_copies_it(
    visitors: Any, clas_call: dict[str, Any], reaap_call: dict[str, Any]
) -> None:
    holder = visitors("asso")
    page = holder.page

    # --- "Mon organisation": identity, checked beside each field, then the reusable documents
    page.get_by_role("link", name="Mon organisation").first.click()
    expect(page.get_by_role("heading", name="Mon organisation", exact=True)).to_be_visible()
    holder.check("70-porteur-organisation")
    page.select_option("#f-kind", "association")
    fill(page, "siret", "787 789 320 87926")
    fill(page, "rna", "W12")
    choose(page, "cer_signed", "oui")
    fill(page, "address", "3 rue de l'Abbaye, 38000 Grenoble")
    fill(page, "email", "contact@cafe-abbaye.example.org")
    page.get_by_role("button", name="Enregistrer le profil").click()
    expect(page.locator("#f-siret-erreur")).to_contain_text("clé de contrôle")
    expect(page.locator("#f-rna-erreur")).to_contain_text("W suivi de 9 chiffres")
    holder.check("71-porteur-organisation-erreurs")
    fill(page, "siret", "787 789 320 87925")
    fill(page, "rna", "W381000123")
    page.get_by_role("button", name="Enregistrer le profil").click()
    expect(page.get_by_text("Le profil de votre organisation est enregistré.")).to_be_visible()
    for kind in REUSABLE:
        page.set_input_files(f"#f-piece-{kind.replace('_', '-')}", files=[_pdf(f"{kind}.pdf")])
    page.get_by_role("button", name="Enregistrer les pièces").click()
    expect(page.get_by_text("Les pièces sont conservées dans le profil")).to_be_visible()
    table = page.get_by_role("table", name="Pièces conservées dans le profil")
    expect(table).to_contain_text("Relevé d'identité bancaire (RIB)")
    expect(table).to_contain_text("Liste des dirigeants")
    holder.check("72-porteur-organisation-pieces")

    # --- a Clas application, prefilled from the profile
    page.goto(f"/demandes/nouvelle?appel={clas_call['id']}")
    expect(page.locator('[name="application.holder.siret"]')).to_have_value("78778932087925")
    expect(page.locator('[name="application.holder.rna"]')).to_have_value("W381000123")
    holder.check("73-porteur-clas-formulaire")
    year = _school_year()
    fill(page, "title", f"Coup de pouce {year}")
    choose(page, "application.renewal", "non")
    choose(page, "application.previous_report_filed", "non")
    # A commune picked by its name in the suggestions, another typed by name (no script needed)
    search = page.locator("#f-application-territory-recherche")
    search.fill("grenob")
    expect(page.locator("#f-application-territory-suggestions option").first).to_have_attribute(
        "value", "Grenoble (38185)"
    )
    search.fill("Grenoble (38185)")
    territory = page.locator('[name="application.territory"]')
    expect(territory).to_have_value("Grenoble (38185)")
    territory.fill("Grenoble (38185), St Martin d'Heres")
    fill(page, "application.period.start", f"{year}-09-15")
    fill(page, "application.period.end", f"{year + 1}-06-30")
    fill(page, "application.budget.total_cost", "10 000,00")
    fill(page, "application.budget.other_resources", "2 000")
    fill(page, "application.requests.caf", "7 000")  # unbalanced on purpose: 9 000 ≠ 10 000
    choose(page, "application.facts.outside_school_time", "oui")
    for axis in ("children", "parents", "school", "local_partners"):
        page.locator(f'input[name="application.facts.axes"][value="{axis}"]').check(force=True)
    choose(page, "application.facts.homework_help_only", "non")
    choose(page, "application.facts.orientation_agreed", "oui")
    choose(page, "application.facts.qpv", "non")
    # Two groups: the second row comes with the button, without simulating
    fill(page, "application.facts.groups.0.children", "10")
    fill(page, "application.facts.groups.0.intervenants", "2")
    fill(page, "application.facts.groups.0.cost", "5 000")
    fill(page, "application.facts.groups.0.levels", "CM1, CM2")
    page.get_by_role("button", name="Ajouter un groupe").click()
    expect(page.locator('[name="application.facts.groups.1.children"]')).to_be_visible()
    expect(page.locator('[name="application.facts.groups.1.children"]')).to_have_value("")
    fill(page, "application.facts.groups.1.children", "8")
    fill(page, "application.facts.groups.1.intervenants", "2")
    fill(page, "application.facts.groups.1.cost", "5 000")
    fill(page, "application.facts.groups.1.levels", "6e")
    # The simulator's findings beside their fields
    page.get_by_role("button", name="Simuler les propositions des financeurs").click()
    expect(page.locator("#resultat-simulation")).to_be_visible()
    expect(page.locator("#f-application-budget-total-cost-erreur")).to_contain_text(
        "Budget déséquilibré"
    )
    expect(territory).to_have_value(re.compile(r"Saint-Martin-d'Hères|St Martin d'Heres"))
    holder.check("74-porteur-clas-simulation")
    # A commune no one knows: said on its field, in French
    territory.fill("Grenoble (38185), Nulle-Part-sur-Isère")
    fill(page, "application.requests.caf", "8 000")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator("#f-application-territory-erreur")).to_contain_text(
        "Commune inconnue : Nulle-Part-sur-Isère"
    )
    holder.check("75-porteur-clas-erreurs")
    territory.fill("Grenoble (38185), St Martin d'Heres")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("La demande est enregistrée en brouillon.")).to_be_visible()
    expect(page.get_by_text("Grenoble (38185), Saint-Martin-d'Hères (38421)")).to_be_visible()
    pieces = page.get_by_role("table", name="Pièces justificatives jointes")
    expect(pieces).to_contain_text("Statuts de l'association")  # from the profile
    holder.check("76-porteur-clas-dossier")

    # --- submitted with two documents missing: a warning that names them, no success
    page.get_by_role("button", name="Déposer la demande").click()
    notice = page.locator("#dossier-incomplet")
    expect(notice).to_contain_text("Dossier incomplet : pièces manquantes")
    expect(notice).to_contain_text("Formulaire CERFA n° 12156 signé")
    expect(notice).to_contain_text("Budget prévisionnel de l'action")
    expect(page.get_by_text("La demande est déposée : les vérifications")).to_have_count(0)
    holder.check("77-porteur-clas-incomplet")

    # --- both missing documents at once, each on its row with its kind
    expect(page.locator("#f-kind")).to_have_value("cerfa_12156")
    expect(page.locator("#f-kind-1")).to_have_value("budget")
    page.set_input_files("#f-file", files=[_pdf("cerfa.pdf")])
    page.set_input_files("#f-file-1", files=[_pdf("budget.pdf"), _pdf("budget-annexe.pdf")])
    page.get_by_role("button", name="Joindre les pièces").click()
    expect(page.get_by_text("Les pièces sont jointes au dossier.")).to_be_visible()
    expect(pieces).to_contain_text("budget-annexe.pdf")
    expect(page.locator("#dossier-incomplet")).to_have_count(0)
    holder.check("78-porteur-clas-pieces")
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.locator("h1 + p + .fr-badge")).not_to_have_text("Incomplet")

    # --- a rate typed as a percentage in the Reaap form
    page.goto(f"/demandes/nouvelle?appel={reaap_call['id']}")
    fill_reaap_form(page)
    fill(page, "application.facts.staff_cost_share", "60 %")
    page.get_by_role("button", name="Simuler les propositions des financeurs").click()
    expect(page.locator("#resultat-simulation")).to_be_visible()
    expect(page.locator("#f-application-facts-staff-cost-share-erreur")).to_have_count(0)
    holder.check("79-porteur-reaap-pourcentage")

    # --- last year's application, copied
    page.goto("/demandes")
    holder.check("80-porteur-demandes")
    page.get_by_role("button", name=f"Copier la demande « Coup de pouce {year} »").click()
    expect(page.get_by_text("La demande est copiée en brouillon")).to_be_visible()
    expect(page.locator('[name="application.facts.groups.1.levels"]')).to_have_value("6e")
    expect(page.locator('[name="application.territory"]')).to_have_value(
        "Grenoble (38185), Saint-Martin-d'Hères (38421)"
    )
    holder.check("81-porteur-copie")
    # Without JavaScript the button posts the form, which comes back with one more row.
    page.evaluate(
        "() => { const b = document.querySelector('[data-add-row]');"
        " b.replaceWith(b.cloneNode(true)); }"  # the copy has no listener: a plain submit
    )
    rows = page.locator(".cf-group-row")
    before = rows.count()
    page.get_by_role("button", name="Ajouter un groupe").click()
    expect(rows).to_have_count(before + 1)
    expect(page.locator('[name="application.facts.groups.1.levels"]')).to_have_value("6e")
