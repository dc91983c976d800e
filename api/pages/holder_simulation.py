"""The form's simulator: what each funder would propose, and the failed rules by their fields."""

from __future__ import annotations

import re
from typing import Any

from api.pages.forms import Section
from engine.clock import now, paris_date
from engine.db import Database
from engine.rulebook import default_registry, evaluate
from engine.services.funders import config_of, list_funders
from engine.settings import Settings

# The rules whose failure the simulator shows beside one field of the form (the others beside
# the first field whose fact they read, as their trace says).
_RULE_FIELDS = {
    "G2": "application.holder.cer_signed",
    "G4": "application.previous_report_filed",
    "G5": "application.budget.total_cost",
    "G6": "application.budget.investment_costs",
    "G7": "application.territory",
    "G9": "application.period.end",
}
_NOT_A_FIELD = {"G3"}  # the documents: joined at the next step


def simulation_errors(simulation: dict[str, Any], sections: list[Section]) -> dict[str, str]:
    """The simulator's failed eligibility rules, each beside the field it is about."""
    names = set()
    for section in sections:
        for fld in section.fields:
            names.add(fld.name)
            names.update(child.name for child in fld.children)
    errors: dict[str, str] = {}
    for entry in simulation.get("trace") or []:
        if entry.get("subject") != "eligibility" or entry.get("passed") is not False:
            continue
        rule = str(entry.get("rule", "")).split("@", 1)[0]
        if rule in _NOT_A_FIELD:
            continue
        if rule == "G1":
            target = "application.holder.rna" if "RNA" in entry["message"] else None
            target = target or "application.holder.siret"
        else:
            target = _RULE_FIELDS.get(rule)
        if target is None:
            for fact in entry.get("facts") or {}:
                path = f"application.{fact}"
                if re.sub(r"\.\d+\.", ".#.", path) in names or path in names:
                    target = path
                    break
        if target is not None:
            errors[target] = (
                f"{errors[target]} {entry['message']}" if target in errors else entry["message"]
            )
    return errors


def simulate(
    db: Database, settings: Settings, scheme: str, body: dict[str, Any], documents: list[str]
) -> dict[str, Any]:
    """What each funder would propose if the file were submitted today, its documents attached
    (they come at the next step); nothing is stored."""
    funders = {f.code: config_of(f) for f in list_funders(db)}
    result = evaluate(
        default_registry(),
        scheme,
        {**body, "documents": documents},
        paris_date(now()),
        settings.department,
        funders,
    )
    return result.as_json()
