"""The registry: modules found through entry points, consistency checks at start-up."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest
from pydantic import BaseModel

from engine.rulebook import (
    FunderModule,
    Registry,
    RegistryError,
    SchemeModule,
    default_registry,
    evaluate,
)
from engine.rulebook import registry as registry_module
from rules.common import PARAMETER_ROOT

BUILT_IN_SCHEMES = {
    "reaap",
    "clas",
    "mediation_familiale",
    "espace_rencontre",
    "laep",
    "pif",
    "parrainage",
}
BUILT_IN_FUNDERS = {"caf", "etat", "departement", "msa", "commune"}


class NoFacts(BaseModel):
    pass


def scheme(code: str, parameters: tuple[str, ...] = (), root: Path | None = None) -> SchemeModule:
    return SchemeModule(
        code=code,
        label=code,
        calendar="civil",
        facts=NoFacts,
        rules=[],
        parameters=parameters,
        parameter_root=root if root is not None else PARAMETER_ROOT,
    )


def funder(code: str, parameters: tuple[str, ...] = ()) -> FunderModule:
    return FunderModule(
        code=code, label=code, rules=[], parameters=parameters, parameter_root=PARAMETER_ROOT
    )


def test_two_scheme_modules_with_one_code_are_refused() -> None:
    with pytest.raises(RegistryError, match="reaap"):
        Registry.build([scheme("reaap"), scheme("reaap")])


def test_two_funder_modules_with_one_code_are_refused() -> None:
    with pytest.raises(RegistryError, match="caf"):
        Registry.build([funder("caf"), funder("caf")])


def test_a_scheme_and_a_funder_may_share_a_code() -> None:
    registry = Registry.build([scheme("msa"), funder("msa")])
    assert set(registry.schemes) == set(registry.funders) == {"msa"}


def test_a_module_reading_an_undefined_parameter_is_refused() -> None:
    with pytest.raises(RegistryError, match=r"caf\.reaap\.max_shares"):
        Registry.build([funder("caf", ("caf.reaap.max_shares",))])


def test_a_scheme_reading_an_undefined_parameter_is_refused() -> None:
    with pytest.raises(RegistryError, match=r"reaap\.nothing"):
        Registry.build([scheme("reaap", ("reaap.nothing",))])


def test_a_parameter_defined_in_two_folders_is_refused(tmp_path: Path) -> None:
    (tmp_path / "caf").mkdir()
    (tmp_path / "caf" / "reaap.max_share.yaml").write_text(
        (PARAMETER_ROOT / "caf" / "reaap.max_share.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"caf\.reaap\.max_share"):
        Registry.build([scheme("a"), scheme("b", root=tmp_path)])


def test_the_plan_parameters_come_with_the_engine_even_without_modules(tmp_path: Path) -> None:
    registry = Registry.build([scheme("a", root=tmp_path)])
    assert set(registry.parameters) == set(registry_module.PLAN_PARAMETERS)


def test_a_module_may_not_redefine_a_parameter_of_the_engine(tmp_path: Path) -> None:
    (tmp_path / "convention").mkdir()
    (tmp_path / "convention" / "threshold.yaml").write_text(
        (registry_module.ENGINE_PARAMETER_ROOT / "convention" / "threshold.yaml").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"convention\.threshold"):
        Registry.build([scheme("a", root=tmp_path)])


def test_default_registry_finds_every_built_in_module_through_entry_points() -> None:
    registry = default_registry()
    assert set(registry.schemes) == BUILT_IN_SCHEMES
    assert set(registry.funders) == BUILT_IN_FUNDERS
    assert {e.name for e in entry_points(group="cofinance.schemes")} >= BUILT_IN_SCHEMES
    assert {e.name for e in entry_points(group="cofinance.funders")} >= BUILT_IN_FUNDERS
    for code, module in registry.schemes.items():
        assert module.code == code and module.kind == "scheme"
    for code, module in registry.funders.items():
        assert module.code == code and module.kind == "funder"


def test_default_registry_is_loaded_once() -> None:
    assert default_registry() is default_registry()


def _fake_entry_points(points: list[EntryPoint]) -> Callable[..., list[EntryPoint]]:
    def fake(*, group: str) -> list[EntryPoint]:
        return [point for point in points if point.group == group]

    return fake


def test_an_entry_point_that_is_not_a_rule_module_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = EntryPoint("pif", "rules.funders.msa:module", "cofinance.schemes")
    monkeypatch.setattr(registry_module, "entry_points", _fake_entry_points([wrong]))
    with pytest.raises(RegistryError, match="not a SchemeModule"):
        registry_module._load("cofinance.schemes")


def test_an_entry_point_named_differently_from_its_module_code_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = EntryPoint("family_info", "rules.schemes.pif:module", "cofinance.schemes")
    monkeypatch.setattr(registry_module, "entry_points", _fake_entry_points([wrong]))
    with pytest.raises(RegistryError, match="family_info"):
        registry_module._load("cofinance.schemes")


THIRD_PARTY = '''
"""A département's own funder package: the Région pays 10 % of a Reaap action."""
from engine.rulebook import FunderModule, FunderRule, ShareOutcome, round_cents

def region_reaap(ctx):
    amount = round_cents(ctx.param("caf.reaap.max_share") / 8 * ctx.money("budget.total_cost"))
    return ShareOutcome(True, amount, "10 % du coût", "0.10 × total_cost")

module = FunderModule(
    code="region",
    label="Région",
    rules=[FunderRule("REG-REAAP", "10 %", "délibération", region_reaap, frozenset({"reaap"}))],
    parameters=("caf.reaap.max_share",),
)
'''


def test_a_third_party_funder_is_found_like_a_built_in_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "cofinance_region_demo.py").write_text(textwrap.dedent(THIRD_PARTY), "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cofinance_region_demo", raising=False)
    points = [
        *entry_points(group="cofinance.schemes"),
        *entry_points(group="cofinance.funders"),
        EntryPoint("region", "cofinance_region_demo:module", "cofinance.funders"),
    ]
    monkeypatch.setattr(registry_module, "entry_points", _fake_entry_points(points))
    registry = Registry.build(
        [
            *registry_module._load(registry_module.SCHEMES_GROUP),
            *registry_module._load(registry_module.FUNDERS_GROUP),
        ]
    )
    assert "region" in registry.funders
    application = {
        "holder": {"kind": "collectivite", "siret": "21380185500015"},
        "documents": ["cerfa_12156", "rib", "budget"],
        "territory": ["38185"],
        "period": {"start": "2025-01-06", "end": "2025-06-30"},
        "budget": {"total_cost": "5000.00", "other_resources": "4000.00"},
        "requests": {"region": "1000.00"},
        "facts": {
            "children_max_age": 12,
            "open_to_all": True,
            "modality": "parent_exchange",
            "therapeutic": False,
            "parents_involved": True,
            "fee_per_session": "0",
            "commercial": False,
            "reaap_charter_signed": True,
            "laicite_charter_accepted": True,
            "staff_cost_share": "0.5",
        },
    }
    result = evaluate(registry, "reaap", application, date(2024, 12, 2), "38")
    share = result.shares["region"]
    assert (share.rule, share.amount) == ("REG-REAAP", Decimal("500.00"))
