"""Every rule case (rules/cases and the shared acceptance cases) passes, and together they cover
every rule id and every parameter date.

Coverage is derived from the YAML files themselves (their expectations) and from the parameter
files, never from a hand-kept list, so a new rule or a new dated value without cases fails here.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.rulebook import ParameterGap, Registry
from engine.rulebook.cases import Case, check_case, load_cases, run_case
from engine.rulebook.evaluate import Evaluation
from engine.rulebook.registry import registry_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RULE_CASES = PROJECT_ROOT / "rules" / "cases"
EXAMPLE_CASES = PROJECT_ROOT.parent / "shared" / "examples" / "cases"
DEPARTMENT = "38"

# Parameters an evaluation never looks up, with the reason. Payment schedules (advance and
# balance) are computed when a share is granted, not when an application is evaluated.
NOT_READ_BY_EVALUATION = {
    "payment.advance_rate": "payment schedule of a granted share",
    # Read by the settlement (engine/services/settlements.py), tested in
    # tests/engine/rulebook/test_settlement.py.
    "settlement.tolerance": "settlement of an approved final report",
    # Read at a session's opening (engine/services/attendance.py), tested in
    # tests/api/test_attendance.py.
    "quorum.min_share": "quorum at a session's opening",
    "quorum.required_funders": "quorum at a session's opening",
    # The final report's due date, tested in tests/engine/services/test_final_reports.py.
    "report.delay_months": "due date of the final report",
}
# Parameters that are not looked up before their first date because a dated switch turns the
# rule off: the "before" case is one where the switch was read while off.
SWITCHED_OFF_BEFORE = {"caf.er.rate": "caf.er.prestation"}


def _folders() -> list[Path]:
    return [RULE_CASES, *([EXAMPLE_CASES] if EXAMPLE_CASES.is_dir() else [])]


def _all_cases() -> list[Case]:
    return list(load_cases(_folders()))


ALL_CASES = _all_cases()


def _case_id(case: Case) -> str:
    return f"{case.file.parent.parent.name}/{case.file.stem}#{case.index + 1}"


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_rule_case_gives_the_expected_result(registry: Registry, case: Case) -> None:
    differences = check_case(registry, case, DEPARTMENT)
    assert differences == [], f"{case.label}: " + "; ".join(differences)


def test_the_shared_acceptance_cases_are_all_found() -> None:
    if not EXAMPLE_CASES.is_dir():
        pytest.skip(f"{EXAMPLE_CASES} is not next to the project")
    examples = [case for case in ALL_CASES if case.file.parent == EXAMPLE_CASES]
    assert len(examples) == 11


def test_every_case_file_starts_with_a_comment_for_its_reader() -> None:
    files = sorted(RULE_CASES.glob("*.yaml"))
    assert files
    for file in files:
        assert file.read_text(encoding="utf-8").startswith("# "), file.name


def test_case_names_are_unique_sentences() -> None:
    seen: dict[str, str] = {}
    for case in ALL_CASES:
        if case.file.parent != RULE_CASES:
            continue
        name = str(case.data.get("name", ""))
        assert len(name.split()) >= 4, f"{case.label}: the name should be a sentence"
        assert name not in seen, f"{name!r} is used in {seen.get(name)} and {case.file.name}"
        seen[name] = case.file.name


def test_there_is_one_case_file_per_scheme_and_per_funder_kind(registry: Registry) -> None:
    stems = {file.stem for file in RULE_CASES.glob("*.yaml")}
    assert set(registry.schemes) <= stems
    assert set(registry.funders) <= stems
    assert {"common", "flags"} <= stems


# ---------------------------------------------------------------- coverage of rule ids


@dataclasses.dataclass
class Coverage:
    passing: dict[str, list[str]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    failing: dict[str, list[str]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    # parameter name -> start dates of the values the cases looked up
    read_since: dict[str, set[date]] = dataclasses.field(default_factory=lambda: defaultdict(set))
    read_values: dict[str, set[str]] = dataclasses.field(default_factory=lambda: defaultdict(set))
    # parameter name -> cases that looked it up before its first date (expected ParameterGap)
    gaps: dict[str, list[str]] = dataclasses.field(default_factory=lambda: defaultdict(list))


def _trace_parameters(result: Evaluation) -> Iterator[dict[str, str]]:
    for entry in result.trace:
        yield from entry["parameters"]


def _with_earlier_value(registry: Registry, name: str) -> Registry:
    """The same registry where `name` also has its first value since the dawn of time."""
    parameter = registry.parameters[name]
    extended = dataclasses.replace(
        parameter,
        starts=(date.min, *parameter.starts),
        values=(parameter.values[0], *parameter.values),
        sources=(parameter.sources[0], *parameter.sources) if parameter.sources else (),
    )
    return Registry(registry.schemes, registry.funders, {**registry.parameters, name: extended})


def gap_set(registry: Registry, case: Case) -> set[str]:
    """Every parameter the case looks up before its first date (not only the first one hit)."""
    found: set[str] = set()
    while True:
        try:
            run_case(registry, case, DEPARTMENT)
        except ParameterGap as gap:
            assert gap.name not in found
            found.add(gap.name)
            registry = _with_earlier_value(registry, gap.name)
        else:
            return found


def _record_funder_rules(
    coverage: Coverage, case: Case, expect: dict[str, Any], result: Evaluation
) -> None:
    """A funder rule passes when it grants the request (or leaves it to a person) and fails when
    it refuses it (its id in `failed`) or cuts it (automatic amount below the request).

    Only the shares whose outcome the case pins down (`eligible`/`failed`, and `amount` for a cut)
    count.
    """
    for funder, wanted in (expect.get("shares") or {}).items():
        share = result.shares[funder]
        if share.rule is None or not ({"eligible", "failed"} & set(wanted)):
            continue
        if share.rule in share.failed:
            coverage.failing[share.rule].append(case.label)
        elif share.amount is not None and share.amount < share.requested:
            if "amount" in wanted:
                coverage.failing[share.rule].append(case.label)
        elif share.eligible:
            coverage.passing[share.rule].append(case.label)


def collect_coverage(registry: Registry, cases: list[Case]) -> Coverage:
    coverage = Coverage()
    for case in cases:
        expect = case.data["expect"]
        if expect.get("error") == "ParameterGap":
            for name in gap_set(registry, case):
                coverage.gaps[name].append(case.label)
            continue
        if expect.get("error"):
            continue
        result = run_case(registry, case, DEPARTMENT)
        if "failed" in expect:
            # The case pins every scheme rule: the failed ones are listed, the others passed.
            for rule_result in result.results:
                rule_id = rule_result.rule.split("@")[0]
                bucket = coverage.passing if rule_result.passed else coverage.failing
                bucket[rule_id].append(case.label)
        _record_funder_rules(coverage, case, expect, result)
        for parameter in _trace_parameters(result):
            coverage.read_since[parameter["name"]].add(date.fromisoformat(parameter["since"]))
            coverage.read_values[parameter["name"]].add(parameter["value"])
    return coverage


@pytest.fixture(scope="module")
def coverage() -> Coverage:
    return collect_coverage(registry_for(None), ALL_CASES)


def _implemented_rule_ids(registry: Registry) -> set[str]:
    ids = {rule.id for scheme in registry.schemes.values() for rule in scheme.rules}
    ids |= {rule.id for funder in registry.funders.values() for rule in funder.rules}
    return ids


def test_every_rule_id_has_a_passing_case(registry: Registry, coverage: Coverage) -> None:
    missing = sorted(_implemented_rule_ids(registry) - set(coverage.passing))
    assert missing == []


def test_every_rule_id_has_a_failing_case(registry: Registry, coverage: Coverage) -> None:
    missing = sorted(_implemented_rule_ids(registry) - set(coverage.failing))
    assert missing == []


def _parameter_dates(registry: Registry) -> list[tuple[str, int]]:
    return [
        (name, index)
        for name, parameter in sorted(registry.parameters.items())
        for index in range(len(parameter.starts))
    ]


PARAMETER_DATES = _parameter_dates(registry_for(None))


def _date_id(item: tuple[str, int]) -> str:
    name, index = item
    return f"{name}@{registry_for(None).parameters[name].starts[index].isoformat()}"


@pytest.mark.parametrize("item", PARAMETER_DATES, ids=_date_id)
def test_every_parameter_date_has_a_case_on_or_after_it(
    registry: Registry, coverage: Coverage, item: tuple[str, int]
) -> None:
    name, index = item
    if name in NOT_READ_BY_EVALUATION:
        assert name not in coverage.read_since, f"{name} is read now: write cases for it"
        return
    start = registry.parameters[name].starts[index]
    assert start in coverage.read_since[name], f"no case reads {name} as in force since {start}"


@pytest.mark.parametrize("item", PARAMETER_DATES, ids=_date_id)
def test_every_parameter_date_has_a_case_just_before_it(
    registry: Registry, coverage: Coverage, item: tuple[str, int]
) -> None:
    name, index = item
    if name in NOT_READ_BY_EVALUATION:
        assert name not in coverage.read_since, f"{name} is read now: write cases for it"
        return
    parameter = registry.parameters[name]
    if index > 0:
        previous = parameter.starts[index - 1]
        assert previous in coverage.read_since[name], (
            f"no case reads {name} before {parameter.starts[index]} (value since {previous})"
        )
    elif name in SWITCHED_OFF_BEFORE:
        switch = SWITCHED_OFF_BEFORE[name]
        assert "false" in coverage.read_values[switch], f"no case with {switch} off"
    else:
        assert coverage.gaps[name], f"no ParameterGap case looks {name} up before {parameter}"


def test_a_case_expecting_parameter_gap_hits_a_gap_indeed(registry: Registry) -> None:
    gap_cases = [c for c in ALL_CASES if c.data["expect"].get("error") == "ParameterGap"]
    assert gap_cases
    for case in gap_cases:
        assert gap_set(registry, case), case.label


def test_money_in_case_expectations_is_written_as_text_with_cents() -> None:
    """YAML would read 0.30 or 23000.01 as binary floats: amounts are quoted strings."""
    for case in ALL_CASES:
        if case.file.parent != RULE_CASES:
            continue
        for funder, share in (case.data["expect"].get("shares") or {}).items():
            amount = share.get("amount")
            assert amount is None or isinstance(amount, str), f"{case.label}: {funder}"
            if amount is not None:
                assert Decimal(amount).as_tuple().exponent == -2, f"{case.label}: {funder}"
