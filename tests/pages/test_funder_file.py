"""What a funder needs to judge a file, in a real browser: its inbox (views, search, CSV export),
a Clas file with its groups and its project description, the rules explained in words (failed
first, no internal code), and its own proposal beside the amount the rules computed."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import Seeded
from tests.pages.conftest import PDF, file_application, open_call, submit_application

DOCUMENTS = (
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
)
PROJECT = {
    "objectives": "Redonner confiance aux enfants dans leur scolarité.\nAssocier les parents.",
    "description": "Deux séances par semaine après la classe, au centre social.",
    "public": "Vingt-cinq enfants du CM1 à la 5e et leurs parents.",
    "means": "Deux animateurs salariés, trois bénévoles, une salle équipée.",
    "evaluation": "Assiduité, entretiens avec les enseignants, bilan avec les familles.",
}
# What a funder must never read at the top of a file: the engine's own names.
CODES = re.compile(r"facts\.|caf\.clas|\bcaf\b|etat\.clas|\(facts|groups\.\d|: True\b|: False\b")


def clas_call(seeded: Seeded) -> dict[str, Any]:
    envelopes = {"caf": "50000.00", "etat": "20000.00"}
    return open_call(seeded, "clas", "Appel à projets Clas 2026-2027", envelopes)


def clas_body() -> dict[str, Any]:
    """A Clas action of two groups; the second has too many children (rule C3 fails for it)."""
    year = datetime.now(UTC).year
    start = year if datetime.now(UTC).month >= 9 else year - 1
    return {
        "holder": {
            "kind": "association",
            "name": "Centre social des Eaux-Claires",
            "siret": "78778932087925",
            "rna": "W381000123",
            "cer_signed": True,
        },
        "renewal": False,
        "previous_report_filed": False,
        "territory": ["38185"],
        "period": {"start": f"{start}-09-16", "end": f"{start + 1}-06-27"},
        "budget": {"total_cost": "12000.00", "investment_costs": "0", "other_resources": "6000.00"},
        "requests": {"caf": "4000.00", "etat": "2000.00"},
        "facts": {
            "outside_school_time": True,
            "axes": ["children", "parents", "school", "local_partners"],
            "homework_help_only": False,
            "orientation_agreed": True,
            "qpv": True,
            "groups": [
                {"children": 10, "intervenants": 2, "cost": "6000.00", "levels": ["CM1", "CM2"]},
                {"children": 15, "intervenants": 2, "cost": "6000.00", "levels": ["6e", "5e"]},
            ],
        },
        "project": PROJECT,
    }


def filed_clas(seeded: Seeded, call_id: int) -> dict[str, Any]:
    """A Clas file with every document, submitted: eligible, its shares proposed by the rules."""
    created = seeded.client.post(
        "/api/v1/applications",
        json={"call_id": call_id, "title": "Coup de pouce Clas", "application": clas_body()},
        headers=seeded.headers["asso"],
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    for kind in DOCUMENTS:
        uploaded = seeded.client.post(
            f"/api/v1/applications/{application_id}/documents",
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", PDF, "application/pdf")},
            headers=seeded.headers["asso"],
        )
        assert uploaded.status_code == 201, uploaded.text
    submit_application(seeded, application_id)
    found = seeded.client.get(
        f"/api/v1/applications/{application_id}", headers=seeded.headers["asso"]
    )
    assert found.json()["state"] == "eligible", found.text
    return dict(found.json())


@pytest.fixture
def files(seeded: Seeded, reaap_call: dict[str, Any]) -> dict[str, Any]:
    """A Clas file to examine, a Reaap file to examine and a withdrawn Reaap file."""
    clas = filed_clas(seeded, clas_call(seeded)["id"])
    reaap = file_application(seeded, reaap_call["id"])
    submit_application(seeded, reaap["id"])
    gone = file_application(seeded, reaap_call["id"], "other")
    submit_application(seeded, gone["id"], "other")
    withdrawn = seeded.client.post(
        f"/api/v1/applications/{gone['id']}/withdraw",
        json={"reason": "Action reportée"},
        headers=seeded.headers["other"],
    )
    assert withdrawn.status_code == 200, withdrawn.text
    return {"clas": clas, "reaap": reaap, "withdrawn": withdrawn.json()}


def test_a_funder_finds_its_files_to_examine_searches_them_and_exports_them(
    visitors: Any, files: dict[str, Any]
) -> None:
    caf = visitors("caf1")
    page = caf.page
    caf.goto("/financeur/dossiers")
    # By default: the files to examine, not the withdrawn one.
    expect(page.get_by_role("link", name="À instruire", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text(files["withdrawn"]["reference"])).to_have_count(0)
    caf.check("40-financeur-a-instruire")

    page.get_by_role("link", name="Tous", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(3)
    withdrawn = page.get_by_role("row", name=re.compile(files["withdrawn"]["reference"]))
    expect(withdrawn).to_contain_text("Demande retirée")
    expect(withdrawn).not_to_contain_text("Proposée")
    caf.check("41-financeur-tous")

    # Search by the organisation's name, then by the action's title.
    page.get_by_label("Rechercher").fill("voiron")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text(files["withdrawn"]["reference"])
    page.get_by_role("link", name="À instruire", exact=True).click()
    page.get_by_label("Rechercher").fill("coup de POUCE")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Coup de pouce Clas")
    caf.check("42-financeur-recherche")

    with page.expect_download() as info:
        page.get_by_role("link", name="Exporter la liste (CSV)").click()
    download = info.value
    assert download.suggested_filename == "dossiers.csv"
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Référence", "Action", "Porteur"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Action"] == "Coup de pouce Clas"
    assert row["Montant demandé"] == "4000,00"
    assert row["État du dossier"] == "Recevable"


def test_a_funder_reads_a_clas_file_in_words_and_proposes_its_own_amount(
    visitors: Any, files: dict[str, Any]
) -> None:
    caf = visitors("caf1")
    page = caf.page
    caf.goto(f"/dossiers/{files['clas']['id']}")

    # The project as the holder described it.
    project = page.get_by_role("region", name="Description du projet")
    expect(project).to_contain_text("Objectifs du projet")
    expect(project).to_contain_text("Redonner confiance aux enfants")
    expect(project).to_contain_text("Méthode d'évaluation")

    # The groups as a table with French column labels.
    groups = page.get_by_role("table", name=re.compile("Groupes d'enfants"))
    expect(groups.get_by_role("columnheader", name="Nombre d'enfants")).to_be_visible()
    expect(groups.get_by_role("columnheader", name="Coût du groupe (€)")).to_be_visible()
    expect(groups.get_by_role("row", name=re.compile("^2 "))).to_contain_text("15")
    expect(groups).to_contain_text("6\u202f000,00\u00a0€")

    # The explanation: the failed rule first and highlighted, the passed ones folded.
    explanation = page.locator(".cf-explanation")
    failed = explanation.locator(".fr-alert--error")
    expect(failed).to_contain_text("1 critère non respecté")
    expect(failed).to_contain_text("Taille du groupe (n° 2)")
    expect(failed).to_contain_text("Groupe 2 : 15 enfants")
    folded = explanation.locator("details.cf-details").first
    expect(folded.locator("summary")).to_contain_text("critères respectés")
    expect(folded.get_by_text("SIRET valide et, pour une association, numéro RNA")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.get_by_text("SIRET valide et, pour une association, numéro RNA")).to_be_visible()

    # Each amount in words: formula in French, parameters by their description, French values.
    amounts = explanation.locator(".cf-amount").first
    expect(amounts).to_contain_text("Prestation de service Clas par groupe")
    expect(amounts).to_contain_text("Calculé par les règles : 1\u202f950,00\u00a0€")
    expect(amounts).to_contain_text("Le plus petit de (montant demandé")
    expect(amounts).to_contain_text("Prix plafond par groupe et par année scolaire")
    expect(amounts).to_contain_text("32,5\u00a0%")
    visible = page.locator("main").inner_text()
    technical = explanation.locator("details", has_text="Trace technique").inner_text()
    assert not CODES.search(visible.replace(technical, "")), CODES.search(visible)
    caf.check("43-financeur-dossier-clas")

    # The funder proposes another amount: the rules' amount stays, its proposal shows beside.
    form = page.locator("section.cf-decision")
    expect(form).to_contain_text("Calculé par les règles : 1\u202f950,00\u00a0€")
    expect(form.get_by_text("Ce commentaire sera visible par le porteur.")).to_be_visible()
    form.get_by_label("Montant proposé (€)").fill("1 800,00")
    form.get_by_label("Commentaire (facultatif)").fill("Montant ajusté au nombre d'enfants.")
    form.get_by_role("button", name="Enregistrer la proposition").click()
    expect(page.get_by_text("Votre proposition est enregistrée.")).to_be_visible()
    amounts = page.locator(".cf-explanation .cf-amount").first
    expect(amounts).to_contain_text("Calculé par les règles : 1\u202f950,00\u00a0€")
    expect(amounts).to_contain_text(
        "Proposition actuelle : 1\u202f800,00\u00a0€ — saisie par le financeur, différente du "
        "montant calculé"
    )
    expect(amounts).not_to_contain_text("proposé 1\u202f950")
    caf.check("44-financeur-proposition")


def test_a_balanced_plan_waiting_for_proposals_shows_no_false_gap(
    visitors: Any, files: dict[str, Any]
) -> None:
    caf = visitors("caf1")
    caf.goto(f"/dossiers/{files['reaap']['id']}")
    plan = caf.page.get_by_role("region", name="Plan de financement")
    expect(plan).to_contain_text("En attente de propositions")
    expect(plan).not_to_contain_text("Besoin non couvert")
    expect(plan.get_by_text("Points d'attention")).to_have_count(0)
    caf.check("45-financeur-plan-en-attente")


def test_a_holder_describes_the_project_in_the_form_and_reads_it_on_the_file(
    visitors: Any, seeded: Seeded, reaap_call: dict[str, Any]
) -> None:
    draft = file_application(seeded, reaap_call["id"])
    holder = visitors("asso")
    page = holder.page
    holder.goto(f"/dossiers/{draft['id']}/modifier")
    fieldset = page.get_by_role("group", name="Description du projet")
    expect(fieldset.get_by_label("Objectifs du projet")).to_be_visible()
    expect(fieldset.get_by_text("Les indicateurs suivis")).to_be_visible()
    fieldset.get_by_label("Objectifs du projet").fill("Rompre l'isolement.\nCréer du lien.")
    fieldset.get_by_label("Public bénéficiaire").fill("Parents du quartier de l'Abbaye.")
    holder.check("46-porteur-description-projet")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(rf"/dossiers/{draft['id']}(\?.*)?$"))
    project = page.get_by_role("region", name="Description du projet")
    expect(project).to_contain_text("Rompre l'isolement.")
    expect(project).to_contain_text("Parents du quartier de l'Abbaye.")
    stored = seeded.client.get(
        f"/api/v1/applications/{draft['id']}", headers=seeded.headers["asso"]
    ).json()["application"]["project"]
    assert stored["objectives"].replace("\r\n", "\n") == "Rompre l'isolement.\nCréer du lien."
    assert stored["means"] is None
