"""Who takes part in the demo département: funders, project holders, users and their passwords."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DOMAIN = "demo.cofinance.fr"

# One password per role, printed at the end of `cofinance demo` (demo data only).
PASSWORDS = {
    "admin": "demo-admin-2026",
    "chair": "demo-chair-2026",
    "funder": "demo-funder-2026",
    "applicant": "demo-applicant-2026",
}


@dataclass(frozen=True)
class DemoFunder:
    code: str
    name: str
    kind: str
    siret: str  # fictitious but with a valid key: the open data names each funder by it
    insee: str | None = None

    @property
    def email(self) -> str:
        return f"{self.code}@{DOMAIN}"


FUNDERS = (
    DemoFunder("caf", "Caf de l'Isère", "caf", "53408366500016"),
    DemoFunder("etat", "Préfecture de l'Isère (DDETS)", "etat", "13000918600011"),
    DemoFunder("departement", "Département de l'Isère", "departement", "22380001200013"),
    DemoFunder("msa", "MSA Alpes du Nord", "msa", "78143702000014"),
    DemoFunder("grenoble", "Ville de Grenoble", "commune", "21380185500015", "38185"),
)


@dataclass(frozen=True)
class Holder:
    """A project holder: an association of the département, with valid SIRET and RNA numbers."""

    key: str
    name: str
    insee: str
    town: str
    siret: str
    rna: str
    street: str = ""

    @property
    def address(self) -> str:
        """The postal address printed on the letters: one line, as the profile's field holds it."""
        return f"{self.street}, {POSTCODES[self.insee]} {self.town}"

    def facts(self) -> dict[str, Any]:
        return {
            "kind": "association",
            "name": self.name,
            "siret": self.siret,
            "rna": self.rna,
            "cer_signed": True,
        }


# Postcodes of the holders' towns (by INSEE code), for their postal addresses.
POSTCODES = {"38185": "38000", "38151": "38130", "38563": "38500", "38544": "38200"}

HOLDERS = {
    holder.key: holder
    for holder in (
        Holder(
            "chemin",
            "Association Parents en Chemin",
            "38185",
            "Grenoble",
            "78778932087925",
            "W381000123",
            "12 rue Très-Cloîtres",
        ),
        Holder(
            "village_sud",
            "Centre social Village Sud",
            "38151",
            "Échirolles",
            "79383470617461",
            "W384000001",
            "3 place de la Libération",
        ),
        Holder(
            "voiron",
            "Maison des familles du Pays voironnais",
            "38563",
            "Voiron",
            "90810033290753",
            "W383000789",
            "40 cours Becquart-Castelbon",
        ),
        Holder(
            "vienne",
            "Espace familles Vienne-Estressin",
            "38544",
            "Vienne",
            "61934514350616",
            "W387000004",
            "8 rue de l'Estressin",
        ),
    )
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    name: str
    email_name: str
    can: str
    funder: str | None = None
    holder: str | None = None
    # Job title printed under the person's signature (letters, minutes).
    title: str | None = None

    @property
    def email(self) -> str:
        return f"{self.email_name}@{DOMAIN}"

    @property
    def password(self) -> str:
        return PASSWORDS[self.role]


CHAIR = DemoUser(
    "chair",
    "chair",
    "Claire Morel",
    "presidence",
    "prepares and runs sessions: agenda, convocations, closing, letters, minutes",
    title="Présidente du comité des financeurs",
)
ADMIN = DemoUser(
    "admin",
    "admin",
    "Administration cofinance",
    "admin",
    "configures funders, calls for projects and users",
)
FUNDER_USERS = (
    DemoUser(
        "caf",
        "funder",
        "Sophie Garnier (Caf de l'Isère)",
        "sophie.garnier",
        "proposes and decides the Caf's shares",
        funder="caf",
    ),
    DemoUser(
        "caf-direction",
        "funder",
        "Marc Lefèvre (Caf de l'Isère)",
        "marc.lefevre",
        "proposes and decides the Caf's shares",
        funder="caf",
    ),
    DemoUser(
        "etat",
        "funder",
        "Karim Haddad (DDETS de l'Isère)",
        "karim.haddad",
        "proposes and decides the State's shares (Clas)",
        funder="etat",
    ),
    DemoUser(
        "departement",
        "funder",
        "Isabelle Roux (Département de l'Isère)",
        "isabelle.roux",
        "proposes and decides the Département's shares",
        funder="departement",
    ),
    DemoUser(
        "msa",
        "funder",
        "Jean-Pierre Blanc (MSA Alpes du Nord)",
        "jean-pierre.blanc",
        "proposes and decides the MSA's shares",
        funder="msa",
    ),
    DemoUser(
        "grenoble",
        "funder",
        "Camille Fournier (Ville de Grenoble)",
        "camille.fournier",
        "proposes and decides the Ville de Grenoble's shares",
        funder="grenoble",
    ),
)
APPLICANTS = (
    DemoUser(
        "parents-en-chemin",
        "applicant",
        "Nadia Benali (Parents en Chemin)",
        "contact.parentsenchemin",
        "files and follows the applications of Parents en Chemin (Grenoble)",
        holder="chemin",
    ),
    DemoUser(
        "village-sud",
        "applicant",
        "Thomas Moreau (Centre social Village Sud)",
        "contact.villagesud",
        "files and follows the applications of Village Sud (Échirolles)",
        holder="village_sud",
    ),
    DemoUser(
        "familles-voiron",
        "applicant",
        "Hélène Perrin (Maison des familles)",
        "contact.famillesvoiron",
        "files and follows the applications of the Maison des familles (Voiron)",
        holder="voiron",
    ),
    DemoUser(
        "familles-vienne",
        "applicant",
        "Youssef Amrani (Espace familles)",
        "contact.famillesvienne",
        "files and follows the applications of the Espace familles (Vienne)",
        holder="vienne",
    ),
)
# The administrator is created last: its presence means the demo was loaded completely.
USERS = (CHAIR, *FUNDER_USERS, *APPLICANTS, ADMIN)
