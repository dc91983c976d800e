"""The demo files' fixed data: documents joined, scheme facts, the committee's room."""

from __future__ import annotations

from typing import Any

ALL_DOCUMENTS = (
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
)
# The documents every holder joins; an association missing the rest is "incomplete".
BASIC_DOCUMENTS = ("cerfa_12156", "rib", "budget")

REAAP_FACTS: dict[str, Any] = {
    "children_max_age": 18,
    "open_to_all": True,
    "modality": "parent_exchange",
    "therapeutic": False,
    "parents_involved": True,
    "fee_per_session": "0.00",
    "commercial": False,
    "reaap_charter_signed": True,
    "laicite_charter_accepted": True,
    "staff_cost_share": "0.55",
}
CLAS_FACTS: dict[str, Any] = {
    "outside_school_time": True,
    "axes": ["children", "parents", "school", "local_partners"],
    "homework_help_only": False,
    "orientation_agreed": True,
    "qpv": False,
}
LOCATION = "Caf de l'Isère, 3 rue des Alliés, 38100 Grenoble — salle du conseil"
