"""How fast is one evaluation? A realistic mixed batch through `engine.rulebook.evaluate`.

Every scheme, each application asking four funders (a commune among them), evaluated many times.
Prints the median time of one evaluation per scheme and overall, and the applications per second.

    .venv/bin/python bench/rules_eval.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from typing import Any

from engine.rulebook import FunderConfig, default_registry, evaluate

DEPARTMENT = "38"
SUBMITTED = date(2024, 11, 15)
FUNDERS = {
    "caf": FunderConfig("caf", "caf"),
    "etat": FunderConfig("etat", "etat"),
    "departement": FunderConfig("departement", "departement"),
    "msa": FunderConfig("msa", "msa"),
    "ville": FunderConfig("ville", "commune", insee="38185"),
}
ASSOCIATION = {
    "holder": {
        "kind": "association",
        "siret": "78778932087925",
        "rna": "W381000123",
        "cer_signed": True,
    },
    "documents": [
        "cerfa_12156",
        "rib",
        "budget",
        "statuts",
        "officers_list",
        "approved_accounts",
        "activity_report",
    ],
    "renewal": True,
    "previous_report_filed": True,
    "territory": ["38185", "38151", "38421"],
}


def application(
    start: str, end: str, total: str, other: str, requests: dict[str, str], facts: dict[str, Any]
) -> dict[str, Any]:
    return {
        **ASSOCIATION,
        "period": {"start": start, "end": end},
        "budget": {"total_cost": total, "investment_costs": "0", "other_resources": other},
        "requests": requests,
        "facts": facts,
    }


def batch() -> list[tuple[str, dict[str, Any]]]:
    """One application per scheme, each asking four funders."""
    group = {"children": 10, "intervenants": 2, "cost": "6000.00", "levels": ["CM1", "CM2"]}
    return [
        (
            "reaap",
            application(
                "2025-02-01",
                "2025-12-15",
                "12000.00",
                "3000.00",
                {"caf": "5000.00", "departement": "2000.00", "msa": "1000.00", "ville": "1000.00"},
                {
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
            ),
        ),
        (
            "clas",
            application(
                "2024-09-16",
                "2025-06-27",
                "24000.00",
                "9000.00",
                {"caf": "7800.00", "etat": "4000.00", "msa": "1200.00", "ville": "2000.00"},
                {
                    "outside_school_time": True,
                    "axes": ["children", "parents", "school", "local_partners"],
                    "homework_help_only": False,
                    "orientation_agreed": True,
                    "qpv": True,
                    "groups": [group, group, group, {**group, "children": 13}],
                },
            ),
        ),
        (
            "mediation_familiale",
            application(
                "2025-01-01",
                "2025-12-31",
                "126000.00",
                "40000.00",
                {"caf": "76000.00", "etat": "2000.00", "msa": "3000.00", "ville": "5000.00"},
                {
                    "manager_kind": "association",
                    "main_field": "family",
                    "mediators": [{"etp": "1.0", "demf": True}, {"etp": "0.5", "demf": True}],
                    "practice_analysis": True,
                    "national_scale_applied": True,
                    "extrajudicial_share": "0.6",
                    "family_participations": "9000.00",
                },
            ),
        ),
        (
            "espace_rencontre",
            application(
                "2025-01-06",
                "2025-12-19",
                "40000.00",
                "10000.00",
                {
                    "caf": "24000.00",
                    "etat": "1000.00",
                    "departement": "3000.00",
                    "ville": "2000.00",
                },
                {
                    "approval_valid_until": "2027-06-30",
                    "max_fee_per_visit": "2.00",
                    "free_access_guaranteed": True,
                    "confidentiality": True,
                },
            ),
        ),
        (
            "laep",
            application(
                "2025-01-06",
                "2025-12-19",
                "30000.00",
                "15000.00",
                {"caf": "9000.00", "etat": "2000.00", "msa": "1000.00", "ville": "3000.00"},
                {
                    "children_max_age": 5,
                    "free_access": True,
                    "anonymous": True,
                    "hosts_per_session": 2,
                    "listed_on_monenfant": True,
                },
            ),
        ),
        (
            "pif",
            application(
                "2025-01-01",
                "2025-12-31",
                "20000.00",
                "8000.00",
                {"caf": "5000.00", "departement": "3000.00", "msa": "1000.00", "ville": "3000.00"},
                {},
            ),
        ),
        (
            "parrainage",
            application(
                "2025-01-01",
                "2025-12-31",
                "15000.00",
                "5000.00",
                {"caf": "5000.00", "etat": "2000.00", "msa": "1000.00", "ville": "2000.00"},
                {},
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300, help="evaluations per application")
    args = parser.parse_args()

    registry = default_registry()  # modules and parameters are loaded once, outside the timing
    applications = batch()
    for scheme, facts in applications:  # warm-up, and a check that the batch is realistic
        result = evaluate(registry, scheme, facts, SUBMITTED, DEPARTMENT, FUNDERS)
        assert len(result.shares) == 4 and result.status == "eligible", (scheme, result.failed)

    timings: dict[str, list[float]] = {scheme: [] for scheme, _ in applications}
    started = time.perf_counter()
    for _ in range(args.repeat):
        for scheme, facts in applications:
            before = time.perf_counter_ns()
            evaluate(registry, scheme, facts, SUBMITTED, DEPARTMENT, FUNDERS)
            timings[scheme].append((time.perf_counter_ns() - before) / 1000)
    elapsed = time.perf_counter() - started
    count = args.repeat * len(applications)

    print(f"{count} evaluations ({len(applications)} schemes × {args.repeat}), 4 funders each")
    for scheme, values in timings.items():
        print(f"  {scheme:<20} median {statistics.median(values):8.1f} µs")
    overall = statistics.median([value for values in timings.values() for value in values])
    print(f"median time per evaluation (one application, four funders): {overall:.1f} µs")
    print(f"throughput: {count / elapsed:,.0f} applications/second (single thread)")


if __name__ == "__main__":
    main()
