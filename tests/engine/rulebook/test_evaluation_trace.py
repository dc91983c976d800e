"""The trace: JSON-ready, deterministic, and every amount names its parameters with their dates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine.rulebook import default_registry, evaluate
from engine.rulebook.cases import Case, load_cases, run_case

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CASES = [
    case
    for case in load_cases([PROJECT_ROOT / "rules" / "cases"])
    if "error" not in case.data["expect"]
]


def result_of(case: Case) -> dict[str, Any]:
    return run_case(default_registry(), case, "38").as_json()


def test_there_are_cases_to_trace() -> None:
    assert len(CASES) > 100


def test_every_result_with_its_trace_is_json_serialisable() -> None:
    for case in CASES:
        text = json.dumps(result_of(case), ensure_ascii=False)
        assert json.loads(text)["trace"], case.label


def test_two_evaluations_give_identical_json() -> None:
    for case in CASES:
        first = json.dumps(result_of(case), ensure_ascii=False)
        second = json.dumps(result_of(case), ensure_ascii=False)
        assert first == second, case.label


def _check_parameters(entry: dict[str, Any], result: dict[str, Any], where: str) -> None:
    # Values are looked up at the reference date (G2: at the submission date), so each one
    # started on or before the later of the two.
    latest = max(date.fromisoformat(result["reference_date"]), date.fromisoformat(result["date"]))
    for parameter in entry["parameters"]:
        assert set(parameter) == {"name", "value", "since", "source"}, where
        assert parameter["source"] == "built-in", where
        assert isinstance(parameter["value"], str), where
        assert date.fromisoformat(parameter["since"]) <= latest, where


def test_every_automatic_amount_names_its_formula_and_its_parameters_with_since_dates() -> None:
    checked = 0
    for case in CASES:
        result = result_of(case)
        for entry in result["trace"]:
            _check_parameters(entry, result, case.label)
            if entry["subject"] != "share" or entry["rule"] is None or entry["value"] is None:
                continue
            share = result["shares"][entry["funder"]]
            if not share["eligible"]:
                continue
            checked += 1
            assert entry["formula"], case.label
            assert entry["parameters"], f"{case.label}: {entry['funder']} names no parameter"
            assert entry["facts"] or entry["requested"], case.label
    assert checked > 50


def test_the_plan_entry_names_the_convention_threshold_and_its_date() -> None:
    result = result_of(CASES[0])
    plan = [entry for entry in result["trace"] if entry["subject"] == "plan"]
    assert len(plan) == 1
    assert plan[0]["parameters"] == [
        {
            "name": "convention.threshold",
            "value": "23000.00",
            "since": "2001-06-06",
            "source": "built-in",
        }
    ]
    assert plan[0]["formula"]
    assert plan[0]["value"] == result["flags"]


CLAS = {
    "holder": {"kind": "association", "siret": "79383470617461", "rna": "W384000001"},
    "documents": [
        "cerfa_12156",
        "rib",
        "budget",
        "statuts",
        "officers_list",
        "approved_accounts",
        "activity_report",
    ],
    "territory": ["38185"],
    "period": {"start": "2014-09-15", "end": "2015-06-26"},
    "budget": {"total_cost": "5000.00", "other_resources": "3000.00"},
    "requests": {"caf": "2000.00"},
    "facts": {
        "outside_school_time": True,
        "axes": ["children", "parents", "school", "local_partners"],
        "homework_help_only": False,
        "orientation_agreed": True,
        "qpv": False,
        "groups": [{"children": 10, "intervenants": 2, "cost": "5000.00", "levels": ["CM1"]}],
    },
}


@pytest.mark.parametrize(
    ("start", "rate", "since"),
    [("2014-09-15", "0.30", "2004-09-01"), ("2015-09-14", "0.325", "2015-09-01")],
)
def test_the_trace_keeps_the_value_in_force_and_the_day_it_started(
    start: str, rate: str, since: str
) -> None:
    application = {**CLAS, "period": {"start": start, "end": f"{int(start[:4]) + 1}-06-26"}}
    result = evaluate(default_registry(), "clas", application, date(2014, 6, 2), "38").as_json()
    share = next(e for e in result["trace"] if e["subject"] == "share")
    parameters = {p["name"]: p for p in share["parameters"]}
    assert parameters["caf.clas.rate"] == {
        "name": "caf.clas.rate",
        "value": rate,
        "since": since,
        "source": "built-in",
    }
    assert "caf.clas.plafond" in parameters
    assert share["facts"]["facts.groups.0.cost"] == "5000.00"


def test_each_eligibility_rule_appears_in_the_trace_with_its_reference() -> None:
    result = result_of(CASES[0])
    rules = [entry["rule"] for entry in result["trace"] if entry["subject"] == "eligibility"]
    assert rules == [r["rule"] for r in result["results"]]
    for entry in result["trace"]:
        if entry["subject"] == "eligibility":
            assert entry["reference"] and entry["message"]
