"""The menu of each role, and the page each role starts on."""

from __future__ import annotations

from dataclasses import dataclass

from engine.access import Actor


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str


def navigation(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    items = {
        "applicant": [
            NavItem("/demandes", "Mes demandes"),
            NavItem("/demandes/nouvelle", "Nouvelle demande"),
            NavItem("/organisation", "Mon organisation"),
        ],
        "funder": [
            NavItem("/financeur/dossiers", "Dossiers à instruire"),
            NavItem("/financeur/enveloppes", "Mes enveloppes"),
            NavItem("/financeur/versements", "Versements"),
            NavItem("/statistiques", "Statistiques"),
            NavItem("/seances", "Séances"),
            NavItem("/mes-declarations-interets", "Mes déclarations d'intérêts"),
            NavItem("/carte", "Carte du territoire"),
        ],
        "chair": [
            NavItem("/tableau-de-bord", "Tableau de bord"),
            NavItem("/comite/dossiers", "Dossiers"),
            NavItem("/comite/suivi", "Suivi financier"),
            NavItem("/statistiques", "Statistiques"),
            NavItem("/appels", "Appels à projets"),
            NavItem("/seances", "Séances"),
            NavItem("/carte", "Carte du territoire"),
        ],
        "admin": [
            NavItem("/tableau-de-bord", "Tableau de bord"),
            NavItem("/admin/financeurs", "Financeurs"),
            NavItem("/statistiques", "Statistiques"),
            NavItem("/appels", "Appels à projets"),
            NavItem("/admin/utilisateurs", "Utilisateurs"),
            NavItem("/admin/envois", "Envois"),
            NavItem("/carte", "Carte du territoire"),
        ],
    }
    return items.get(actor.role, [])


def home_of(actor: Actor) -> str:
    return navigation(actor)[0].href if navigation(actor) else "/connexion"
