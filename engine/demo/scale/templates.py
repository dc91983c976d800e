"""The scale data set's fixed tables: schemes' weights, states, towns, application templates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

DOMAIN = "scale.cofinance.fr"
PAST_CAMPAIGNS = 4
TEMPLATE_CAMPAIGN = 2024  # the campaign the templates below are written for
ALL_DOCUMENTS = (
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
)
BASIC_DOCUMENTS = ("cerfa_12156", "rib", "budget")
# Shares of the schemes in the national figures (FACTS §5: Reaap 8 300 actions, Clas 4 300 …).
SCHEME_WEIGHTS = {
    "reaap": 50,
    "clas": 26,
    "laep": 11,
    "mediation_familiale": 3,
    "espace_rencontre": 3,
    "pif": 4,
    "parrainage": 3,
}
PAST_STATES = {"notified": 84, "refused": 5, "withdrawn": 4, "incomplete": 4, "draft": 3}
CURRENT_STATES = {
    "draft": 25,
    "eligible": 32,
    "scheduled": 25,
    "incomplete": 6,
    "ineligible": 6,
    "withdrawn": 6,
}
TOWNS = (
    ("38185", "Grenoble"),
    ("38151", "Échirolles"),
    ("38421", "Saint-Martin-d'Hères"),
    ("38563", "Voiron"),
    ("38544", "Vienne"),
    ("38053", "Bourgoin-Jallieu"),
)
KINDS = ("Association", "Centre social", "Maison des familles", "Espace de vie sociale")
SIRET = "78778932087925"
RNA = "W381000123"
FACTS: dict[str, dict[str, Any]] = {
    "reaap": {
        "children_max_age": 18,
        "open_to_all": True,
        "modality": "parent_exchange",
        "therapeutic": False,
        "parents_involved": True,
        "fee_per_session": "2.00",
        "commercial": False,
        "reaap_charter_signed": True,
        "laicite_charter_accepted": True,
        "staff_cost_share": "0.6",
    },
    "clas": {
        "outside_school_time": True,
        "axes": ["children", "parents", "school", "local_partners"],
        "homework_help_only": False,
        "orientation_agreed": True,
        "qpv": True,
        "groups": [],
    },
    "mediation_familiale": {
        "manager_kind": "association",
        "main_field": "family",
        "mediators": [{"etp": "1.0", "demf": True}, {"etp": "0.5", "demf": True}],
        "practice_analysis": True,
        "national_scale_applied": True,
        "extrajudicial_share": "0.6",
        "family_participations": "9000.00",
    },
    "espace_rencontre": {
        "approval_valid_until": "2027-06-30",
        "max_fee_per_visit": "2.00",
        "free_access_guaranteed": True,
        "confidentiality": True,
    },
    "laep": {
        "children_max_age": 5,
        "free_access": True,
        "anonymous": True,
        "hosts_per_session": 2,
        "listed_on_monenfant": True,
    },
    "pif": {},
    "parrainage": {},
}
# scheme: (period start, period end, other resources, requests by funder kind), campaign 2024.
BUDGETS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "reaap": (
        "2025-02-01",
        "2025-12-15",
        "3000.00",
        {"caf": "5000.00", "departement": "2000.00", "msa": "1000.00", "commune": "1000.00"},
    ),
    "clas": (
        "2024-09-16",
        "2025-06-27",
        "9000.00",
        {"caf": "7800.00", "etat": "4000.00", "msa": "1200.00", "commune": "2000.00"},
    ),
    "mediation_familiale": (
        "2025-01-01",
        "2025-12-31",
        "40000.00",
        {"caf": "76000.00", "etat": "2000.00", "msa": "3000.00", "commune": "5000.00"},
    ),
    "espace_rencontre": (
        "2025-01-06",
        "2025-12-19",
        "10000.00",
        {"caf": "24000.00", "etat": "1000.00", "departement": "3000.00", "commune": "2000.00"},
    ),
    "laep": (
        "2025-01-06",
        "2025-12-19",
        "15000.00",
        {"caf": "9000.00", "etat": "2000.00", "msa": "1000.00", "commune": "3000.00"},
    ),
    "pif": (
        "2025-01-01",
        "2025-12-31",
        "8000.00",
        {"caf": "5000.00", "departement": "3000.00", "msa": "1000.00", "commune": "3000.00"},
    ),
    "parrainage": (
        "2025-01-01",
        "2025-12-31",
        "5000.00",
        {"caf": "5000.00", "etat": "2000.00", "msa": "1000.00", "commune": "2000.00"},
    ),
}
TITLES: dict[str, tuple[str, ...]] = {
    "reaap": ("Café des parents", "Groupe de parole de parents", "Ateliers parents-enfants"),
    "clas": ("Accompagnement à la scolarité", "Coup de pouce collège", "Clas élémentaire"),
    "mediation_familiale": ("Service de médiation familiale",),
    "espace_rencontre": ("Espace de rencontre parents-enfants",),
    "laep": ("Lieu d'accueil enfants-parents",),
    "pif": ("Point info familles",),
    "parrainage": ("Parrainage de proximité",),
}
FACTORS = (Decimal("0.6"), Decimal("0.8"), Decimal("1"), Decimal("1.3"))
LOCATION = "Salle du conseil"
