"""The administrator's job in a real browser (edit a user, deactivate it, add a funder to an open
call, read an outbox message), and a forgotten password from the sign-in page through the emailed
link (a real local SMTP server) to signing in with the new one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from engine.notify.deliver import dispatch_outbox
from tests.conftest import PASSWORD
from tests.engine.notify.world import SmtpServer

NEW_PASSWORD = "un tout nouveau mot de passe"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def test_the_administrator_edits_a_user_deactivates_it_adds_a_funder_and_reads_a_message(
    visitors: Any, seeded: Any, reaap_call: dict[str, Any]
) -> None:
    member = visitors("caf2")  # signed in before being deactivated
    admin = visitors("admin")
    page = admin.page

    # Edit a user.
    admin.goto("/admin/utilisateurs")
    admin.check("admin-users")
    page.get_by_role("link", name="Modifier le compte caf2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("caf2")
    admin.check("admin-user-form")
    page.get_by_label("Nom affiché").fill("Claire Martin")
    page.get_by_label("Courriel").fill("claire.martin@caf38.fr")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Le compte est modifié.")).to_be_visible()
    expect(page.get_by_label("Nom affiché")).to_have_value("Claire Martin")

    # A bad email is refused next to its field.
    page.get_by_label("Courriel").fill("pas une adresse")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Saisissez une adresse électronique valide")).to_be_visible()
    admin.check("admin-user-form-error")

    # Deactivate it: its open session ends, it cannot sign in again.
    page.get_by_role("button", name="Désactiver le compte").click()
    expect(page.get_by_text("Le compte est désactivé")).to_be_visible()
    expect(page.get_by_role("button", name="Réactiver le compte")).to_be_visible()
    admin.check("admin-user-deactivated")
    member.goto("/financeur/dossiers")
    assert "/connexion" in member.page.url
    member.page.locator("#f-username").fill("caf2")
    member.page.locator("#f-password").fill(PASSWORD)
    member.page.get_by_role("button", name="Se connecter").click()
    expect(member.page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()

    # A funder created later joins the open call.
    admin.goto("/admin/financeurs")
    page.locator("#f-code").fill("voiron")
    page.locator("#f-name").fill("Ville de Voiron")
    page.locator("#f-kind").select_option("commune")
    page.locator("#f-insee").fill("38563")
    page.get_by_role("button", name="Ajouter le financeur").click()
    expect(page.get_by_text("Le financeur est créé.")).to_be_visible()
    page.get_by_role("link", name="Modifier Ville de Voiron").click()
    admin.check("admin-funder-form")
    page.get_by_label("Courriel").fill("subventions@voiron.fr")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Le financeur est modifié.")).to_be_visible()

    admin.goto("/appels")
    page.get_by_role("link", name=f"Modifier l'appel {reaap_call['title']}").click()
    admin.check("admin-call-form")
    page.get_by_label("Intitulé").fill("Reaap (prolongé)")
    page.get_by_label(re.compile("^Ville de Voiron")).fill("8 000")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("L'appel à projets est modifié.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Reaap (prolongé)")
    expect(row).to_contain_text("Ville de Voiron")
    expect(row).to_contain_text("8 000,00")

    # Removing a funder already engaged in the open call is refused with the reason.
    page.get_by_role("link", name="Modifier l'appel Reaap (prolongé)").click()
    page.get_by_label(re.compile("^MSA")).fill("")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("alert")).to_contain_text("ne peut plus être retiré")
    admin.check("admin-call-form-refused")

    # The outbox, newest first, and one message with its content.
    admin.goto("/admin/utilisateurs")
    page.get_by_role("link", name="Modifier le compte asso").click()
    page.get_by_role("button", name="Envoyer un lien de nouveau mot de passe").click()
    expect(page.get_by_text("Un courriel avec un lien")).to_be_visible()
    admin.goto("/admin/envois")
    admin.check("admin-outbox")
    first = page.get_by_role("row").nth(1)
    expect(first).to_contain_text("Nouveau mot de passe")
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un nouveau mot de passe")
    expect(page.get_by_text("asso@example.org")).to_be_visible()
    expect(page.locator("pre")).to_contain_text("jeton=[masqué]")
    admin.check("admin-outbox-message")


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    visitors: Any, seeded: Any, settings: Any, db: Any, smtp: SmtpServer
) -> None:
    visitor = visitors()
    page = visitor.page
    visitor.goto("/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    visitor.check("password-forgotten")
    page.get_by_label("Identifiant ou adresse électronique").fill("asso@example.org")
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.get_by_role("status")).to_contain_text("Si un compte correspond")
    visitor.check("password-forgotten-sent")

    # The same answer for an account that does not exist.
    visitor.goto("/mot-de-passe/oublie")
    page.get_by_label("Identifiant ou adresse électronique").fill("personne")
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.get_by_role("status")).to_contain_text("Si un compte correspond")

    assert dispatch_outbox(db, settings.model_copy(update={"smtp_url": smtp.url})) == 1
    [message] = smtp.messages
    assert message["To"] == "asso@example.org"
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/mot-de-passe/nouveau\?jeton=\S+", text)
    assert link, text
    target = urlsplit(link.group(0))

    visitor.goto(f"{target.path}?{target.query}")
    visitor.check("password-new")
    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_label("Le même mot de passe, une seconde fois").fill("autre chose encore")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_text("ne sont pas identiques")).to_be_visible()
    visitor.check("password-new-mismatch")
    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_label("Le même mot de passe, une seconde fois").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe est changé")).to_be_visible()
    visitor.check("password-changed")

    visitor.login("asso", NEW_PASSWORD)
    visitor.logout()
    # The link worked once.
    visitor.goto(f"{target.path}?{target.query}")
    expect(page.get_by_role("alert")).to_contain_text("Ce lien n'est plus valable")
    visitor.check("password-link-used")
