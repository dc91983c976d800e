"""The rule book is complete: every parameter file loads and every rule id of RULES.md exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.rulebook import Registry, default_registry
from engine.rulebook.parameters import load_parameter
from engine.rulebook.registry import ENGINE_PARAMETER_ROOT, PLAN_PARAMETERS

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PARAMETER_ROOT = PROJECT_ROOT / "rules" / "parameters"
# The shared specification sits next to the project (a clean clone placed beside `shared/`).
RULES_MD = PROJECT_ROOT.parent / "shared" / "domain" / "RULES.md"

_TABLE_ID = re.compile(r"^\|\s*([GRCMEL]\d)\s*\|", re.MULTILINE)
_FUNDER_ID = re.compile(r"\b((?:CAF|ETAT|DEP|COM)-[A-Z0-9]+)\b")


def rules_md_ids() -> set[str]:
    if not RULES_MD.is_file():
        pytest.skip(f"{RULES_MD} is not next to the project")
    text = RULES_MD.read_text(encoding="utf-8")
    return set(_TABLE_ID.findall(text)) | set(_FUNDER_ID.findall(text))


def implemented_ids(registry: Registry) -> set[str]:
    ids = {rule.id for module in registry.schemes.values() for rule in module.rules}
    return ids | {rule.id for module in registry.funders.values() for rule in module.rules}


# The rule modules' parameters, and the engine's own (the financing plan's) kept with it.
PARAMETER_FILES = sorted(
    [*PARAMETER_ROOT.glob("*/*.yaml"), *ENGINE_PARAMETER_ROOT.glob("*/*.yaml")]
)


@pytest.mark.parametrize("path", PARAMETER_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_parameter_file_loads(path: Path) -> None:
    parameter = load_parameter(path, f"{path.parent.name}.{path.stem}")
    assert parameter.starts and len(parameter.starts) == len(parameter.values)


def test_every_parameter_file_is_in_the_registry() -> None:
    names = {f"{path.parent.name}.{path.stem}" for path in PARAMETER_FILES}
    assert names and names == set(default_registry().parameters)


def test_the_engine_keeps_its_own_parameters_and_the_modules_theirs() -> None:
    engine = {f"{path.parent.name}.{path.stem}" for path in ENGINE_PARAMETER_ROOT.glob("*/*.yaml")}
    assert engine == set(PLAN_PARAMETERS)
    assert ENGINE_PARAMETER_ROOT == PROJECT_ROOT / "engine" / "parameters"
    modules = {f"{path.parent.name}.{path.stem}" for path in PARAMETER_ROOT.glob("*/*.yaml")}
    assert not modules & engine, "the engine reads no parameter file of rules/"


def test_every_parameter_is_declared_by_a_module_or_the_plan() -> None:
    registry = default_registry()
    declared = set(PLAN_PARAMETERS)
    for module in [*registry.schemes.values(), *registry.funders.values()]:
        declared.update(module.parameters)
    assert declared == set(registry.parameters)


def test_the_rules_md_parser_finds_the_whole_rule_book() -> None:
    ids = rules_md_ids()
    assert {"G1", "G9", "R9", "C0", "C7", "M6", "E3", "L4"} <= ids
    assert {"CAF-REAAP", "CAF-LAEP", "ETAT-2014", "ETAT-CLAS", "DEP-REAAP", "COM-TERRITORY"} <= ids
    assert "G8" not in ids, "G8 is enforced by the workflow, not by a rule module"


def test_every_rule_id_of_rules_md_is_implemented_by_some_module() -> None:
    missing = sorted(rules_md_ids() - implemented_ids(default_registry()))
    assert missing == []


def test_every_implemented_rule_id_is_documented_in_rules_md() -> None:
    undocumented = sorted(implemented_ids(default_registry()) - rules_md_ids())
    assert undocumented == []


def test_every_scheme_runs_the_common_rules_first() -> None:
    common = ["G1", "G2", "G3", "G4", "G5", "G6", "G7", "G9"]
    for module in default_registry().schemes.values():
        assert [rule.id for rule in module.rules][:8] == common, module.code


def test_rule_ids_are_unique_within_a_module() -> None:
    registry = default_registry()
    for module in [*registry.schemes.values(), *registry.funders.values()]:
        ids = [rule.id for rule in module.rules]
        assert len(ids) == len(set(ids)), module.code


def test_every_rule_has_a_description_and_a_legal_reference() -> None:
    registry = default_registry()
    for module in [*registry.schemes.values(), *registry.funders.values()]:
        for rule in module.rules:
            assert rule.description.strip() and rule.reference.strip(), rule.id
