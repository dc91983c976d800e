"""Who may open what, forms without their CSRF token, and the administrator's pages."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from engine.db import Database
from engine.models import OutboxMessage
from engine.settings import Settings
from tests.conftest import PASSWORD, Seeded
from tests.pages.conftest import PDF, file_application, submit_application


def test_a_holder_cannot_open_another_holders_file(
    visitors: Any, reaap_call: dict[str, Any], seeded: Seeded
) -> None:
    application = file_application(seeded, reaap_call["id"], "asso")
    other = visitors("other")
    response = other.goto(f"/dossiers/{application['id']}")
    assert response.status == 403
    expect(other.page.get_by_role("heading", name="Accès refusé")).to_be_visible()
    expect(other.page.get_by_text("Ce dossier ne vous est pas accessible.")).to_be_visible()
    other.check("30-acces-refuse")
    # Nor edit it, nor post to it.
    assert other.goto(f"/dossiers/{application['id']}/modifier").status == 403
    # A draft is the holder's own work: even the funder asked does not see it yet.
    assert visitors("caf1").goto(f"/dossiers/{application['id']}").status == 403
    # Once filed, a funder not asked for money still does not see it; the one asked does.
    submit_application(seeded, application["id"])
    assert visitors("ville1").goto(f"/dossiers/{application['id']}").status == 403
    assert visitors("caf1").goto(f"/dossiers/{application['id']}").status == 200


def test_pages_of_another_role_are_refused_in_french(visitors: Any) -> None:
    funder = visitors("caf1")
    for path in ("/admin/financeurs", "/admin/utilisateurs", "/admin/envois", "/demandes"):
        response = funder.goto(path)
        assert response.status == 403, path
        expect(funder.page.get_by_role("heading", name="Accès refusé")).to_be_visible()
    holder = visitors("asso")
    assert holder.goto("/seances").status == 403
    assert holder.goto("/tableau-de-bord").status == 403


def test_anonymous_visitors_are_sent_to_the_login_page(visitors: Any) -> None:
    anonymous = visitors()
    anonymous.goto("/financeur/dossiers?etat=eligible")
    expect(anonymous.page).to_have_url(re.compile(r"/connexion\?suivant="))
    anonymous.page.locator("#f-username").fill("caf1")
    anonymous.page.locator("#f-password").fill("not the password at all")
    anonymous.page.get_by_role("button", name="Se connecter").click()
    expect(anonymous.page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()
    anonymous.check("31-connexion-erreur")
    # The form keeps where they were going: after signing in, they land there.
    anonymous.page.locator("#f-password").fill(PASSWORD)
    anonymous.page.get_by_role("button", name="Se connecter").click()
    expect(anonymous.page).to_have_url(re.compile(r"/financeur/dossiers\?etat=eligible$"))


def test_a_form_without_its_csrf_token_is_refused(
    visitors: Any, reaap_call: dict[str, Any], seeded: Seeded
) -> None:
    application = file_application(seeded, reaap_call["id"], "asso")
    holder = visitors("asso")
    holder.goto(f"/dossiers/{application['id']}/modifier")
    expect(holder.page.locator('[name="application.holder.siret"]')).to_have_value("78778932087925")
    expect(holder.page.locator('[name="application.budget.total_cost"]')).to_have_value("6000,00")
    holder.check("35-porteur-modifier")
    holder.goto(f"/dossiers/{application['id']}")
    request = holder.context.request  # shares the browser's cookies (the session)
    url = f"/dossiers/{application['id']}/retirer"
    missing = request.post(url, form={"reason": "sans jeton"})
    assert missing.status == 403
    assert "Le formulaire a expiré ou ne vient pas de ce site" in missing.text()
    forged = request.post(url, form={"reason": "faux jeton", "csrf_token": "forged"})
    assert forged.status == 403
    # Nothing happened: the draft is still a draft.
    holder.page.reload()
    expect(holder.page.locator("h1 + p + .fr-badge")).to_have_text("Brouillon")
    # The login form is protected too (no logging a victim into the attacker's account).
    anonymous = visitors()
    refused = anonymous.context.request.post(
        "/connexion", form={"username": "asso", "password": "x"}
    )
    assert refused.status == 403


def test_session_cookie_is_httponly_and_lax(visitors: Any) -> None:
    holder = visitors("asso")
    cookies = {c["name"]: c for c in holder.context.cookies()}
    for name in ("cofinance_session", "cofinance_csrf"):
        assert cookies[name]["httpOnly"] is True
        assert cookies[name]["sameSite"] == "Lax"
        assert cookies[name]["secure"] is False  # served over plain http here


def test_admin_pages(
    visitors: Any, reaap_call: dict[str, Any], seeded: Seeded, db: Database
) -> None:
    admin = visitors("admin")
    admin.goto("/admin/financeurs")
    admin.check("40-admin-financeurs")
    admin.page.locator('[name="code"]').fill("voiron")
    admin.page.locator('[name="name"]').fill("Ville de Voiron")
    admin.page.select_option("#f-kind", "commune")
    admin.page.get_by_role("button", name="Ajouter le financeur").click()
    expect(admin.page.locator("#f-insee-erreur")).to_have_text(
        "Une commune financeuse a besoin de son code INSEE."
    )
    admin.page.locator('[name="insee"]').fill("38563")
    admin.page.get_by_role("button", name="Ajouter le financeur").click()
    expect(admin.page.get_by_text("Le financeur est créé.")).to_be_visible()
    expect(admin.page.get_by_role("rowheader", name="Ville de Voiron")).to_be_visible()

    admin.goto("/admin/utilisateurs")
    admin.page.locator('[name="username"]').fill("voiron1")
    admin.page.select_option("#f-role", "funder")
    admin.page.select_option("#f-funder", "voiron")
    admin.page.locator('[name="password"]').fill("court")
    admin.page.get_by_role("button", name="Créer le compte").click()
    expect(admin.page.locator("#f-password-erreur")).to_have_text("Entre 12 et 1024 caractères.")
    admin.check("41-admin-utilisateurs-erreur")
    admin.page.locator('[name="password"]').fill("un mot de passe assez long")
    admin.page.get_by_role("button", name="Créer le compte").click()
    expect(admin.page.get_by_text("Le compte est créé.")).to_be_visible()

    application = file_application(seeded, reaap_call["id"], "asso")
    for kind in ("cerfa_12156", "rib", "budget"):
        seeded.client.post(
            f"/api/v1/applications/{application['id']}/documents",
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", PDF, "application/pdf")},
            headers=seeded.headers["asso"],
        )
    submitted = seeded.client.post(
        f"/api/v1/applications/{application['id']}/submit", headers=seeded.headers["asso"]
    )
    assert submitted.status_code == 200, submitted.text
    with db.transaction() as session:
        session.add(
            OutboxMessage(
                kind="decision",
                recipient="asso@example.org",
                subject="Décision du comité",
                body_text="…",
                message_id="<failed-once@cofinance.local>",
                state="failed",
                attempts=5,
                last_error="550 mailbox unavailable",
            )
        )
    admin.goto("/admin/envois")
    expect(admin.page.get_by_role("cell", name="Accusé de dépôt").first).to_be_visible()
    admin.check("42-admin-envois")
    admin.page.get_by_role("link", name="En échec").click()
    expect(admin.page.get_by_role("cell", name="550 mailbox unavailable")).to_be_visible()
    admin.page.get_by_role("button", name=re.compile("Relancer")).click()
    expect(admin.page.get_by_text("L'envoi est relancé")).to_be_visible()
    expect(admin.page.get_by_role("cell", name="Décision au porteur")).to_be_visible()
    admin.goto("/appels")
    admin.page.get_by_role("link", name="Nouvel appel à projets").click()
    admin.page.get_by_role("button", name="Créer l'appel à projets").click()
    expect(admin.page.locator("#f-title-erreur")).to_have_text("Ce champ est obligatoire.")
    admin.check("43-admin-nouvel-appel-erreurs")
    admin.page.select_option("#f-scheme", "laep")
    admin.page.locator('[name="title"]').fill("Lieux d'accueil enfants-parents 2027")
    admin.page.locator('[name="opens_at"]').fill("2027-01-05T09:00")
    admin.page.locator('[name="closes_at"]').fill("2027-03-31T17:00")
    admin.page.locator('[name="envelope.caf"]').fill("40 000")
    admin.page.get_by_role("button", name="Créer l'appel à projets").click()
    expect(admin.page.get_by_text("L'appel à projets est créé.")).to_be_visible()
    admin.page.get_by_role("button", name=re.compile("Ouvrir l'appel Lieux")).click()
    expect(admin.page.get_by_text("L'état de l'appel à projets a changé.")).to_be_visible()
    admin.check("44-admin-appels")
    admin.goto("/tableau-de-bord")
    expect(admin.page.locator("svg.cf-chart").first).to_be_visible()
    admin.check("45-admin-tableau-de-bord")


def test_lists_are_paginated(visitors: Any, reaap_call: dict[str, Any], seeded: Seeded) -> None:
    for _ in range(23):
        draft = file_application(seeded, reaap_call["id"], "asso")
        submit_application(seeded, draft["id"])
    holder = visitors("asso")
    holder.goto("/demandes")
    expect(holder.page.locator("tbody tr")).to_have_count(20)
    expect(holder.page.get_by_text("23 éléments — page 1 sur 2")).to_be_visible()
    holder.page.get_by_role("link", name="Page suivante").click()
    expect(holder.page.locator("tbody tr")).to_have_count(3)
    holder.check("32-porteur-demandes-page-2")
    funder = visitors("caf1")
    funder.goto("/financeur/dossiers?etat=incomplete")
    expect(funder.page.get_by_text("23 éléments — page 1 sur 2")).to_be_visible()
    # Drafts are the holders' own: a funder's inbox never lists them.
    funder.goto("/financeur/dossiers?etat=draft")
    expect(funder.page.get_by_role("heading", name="Aucun dossier")).to_be_visible()
    funder.goto("/financeur/dossiers?etat=eligible")
    expect(funder.page.get_by_role("heading", name="Aucun dossier")).to_be_visible()
    funder.check("33-financeur-dossiers-vide")


def test_the_state_brand_block_shows_only_for_a_state_service(
    visitors: Any, settings: Settings
) -> None:
    anonymous = visitors()
    anonymous.goto("/connexion")
    expect(anonymous.page.locator(".fr-logo")).to_have_count(0)
    settings.state_service = True  # the server reads this very object
    anonymous.goto("/connexion")
    expect(anonymous.page.locator(".fr-header .fr-logo")).to_have_text(
        re.compile("République\\s*française")
    )
    anonymous.check("34-connexion-service-de-l-etat")
