"""The rule trace told in words: every case of every scheme explained without an internal code."""

from __future__ import annotations

import re
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.rulebook import default_registry
from engine.rulebook.evaluate import evaluate
from engine.rulebook.explain import (
    computed_wording,
    explain,
    french_formula,
    french_value,
    parameter_value,
)

CASES = sorted((Path(__file__).resolve().parents[3] / "rules" / "cases").glob("*.yaml"))
NAMES = {
    "caf": "Caf de l'Isère",
    "etat": "Préfecture de l'Isère",
    "departement": "Département de l'Isère",
    "msa": "MSA Alpes du Nord",
    "grenoble": "Ville de Grenoble",
}
# The engine's names: field paths, parameter names, snake_case identifiers, Python booleans.
CODE = re.compile(r"\bfacts\.|\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]+\.[a-z_]+\b|\bTrue\b|\bFalse\b")


def _strings(value: object) -> list[str]:
    """Every text a person reads in an explanation."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, inner in value.items() if key != "funder" for s in _strings(inner)]
    if isinstance(value, list | tuple):
        return [s for inner in value for s in _strings(inner)]
    return []


def _cases() -> list[dict[str, Any]]:
    found = []
    for path in CASES:
        found.extend(c for c in yaml.safe_load(path.read_text()) if "scheme" in c)
    return found


def _evaluated(case: dict[str, Any]) -> list[dict[str, Any]] | None:
    try:
        result = evaluate(
            default_registry(),
            case["scheme"],
            case["application"],
            case["date"],
            str(case.get("department", "38")),
        )
    except Exception:  # cases that expect a refusal have no trace
        return None
    return result.as_json()["trace"]


def test_every_case_of_every_scheme_is_explained_without_an_internal_code() -> None:
    explained = 0
    for case in _cases():
        trace = _evaluated(case)
        if trace is None:
            continue
        explanation = explain(trace, default_registry(), case["scheme"], NAMES)
        words = " | ".join(_strings(asdict(explanation)))
        found = CODE.search(words)
        assert found is None, (case["name"], found.group(), words[:2000])
        explained += 1
    assert explained > 50


def test_failed_rules_come_apart_from_the_passed_ones_with_what_each_rule_checks() -> None:
    clas = yaml.safe_load((CASES[0].parent / "clas.yaml").read_text())
    c2 = next(c for c in clas if c["name"].startswith("C2"))
    explanation = explain(_evaluated(c2), default_registry(), "clas", NAMES)
    assert [rule.title for rule in explanation.failed] == ["Hors du temps scolaire"]
    assert explanation.failed[0].facts[0].label == "Action hors du temps scolaire"
    assert explanation.failed[0].facts[0].value == "Non"
    assert all(rule.passed for rule in explanation.passed)
    assert "SIRET valide et, pour une association, numéro RNA" in [
        rule.title for rule in explanation.passed
    ]


def test_a_formula_reads_in_french_with_the_values_of_its_parameters() -> None:
    formula = french_formula(
        "min(demande, round(rate × min(total_cost, plafond)))",
        lambda token: "taux (75 %)" if token == "rate" else None,
    )
    assert formula == (
        "Le plus petit de (montant demandé ; arrondi au centime de (taux (75 %) × "
        "le plus petit de (coût total ; plafond)))"
    )


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (True, "", "Oui"),
        (False, "flag", "Non"),
        ("5000.00", "money", "5\u202f000,00\u00a0€"),
        ("0.325", "ratio", "32,5\u00a0%"),
        ("78778932087925", "", "78778932087925"),
        (None, "money", "—"),
        ("2024-09-16", "", "16 septembre 2024"),
    ],
)
def test_values_are_written_the_french_way(value: object, kind: str, expected: str) -> None:
    assert french_value(value, kind) == expected


def test_parameters_are_written_in_their_unit() -> None:
    assert parameter_value("7886.15", "currency") == "7\u202f886,15\u00a0€"
    assert parameter_value(Decimal("0.5"), "ratio") == "50\u00a0%"
    assert parameter_value("true", "boolean") == "Oui"
    assert parameter_value("18", "age") == "18 ans"


def test_the_rules_amount_is_said_computed_not_proposed() -> None:
    message = "32,5 % du coût : 3 900,00 € ; proposé 3 900,00 €."
    assert computed_wording(message) == "32,5 % du coût : 3 900,00 €."
