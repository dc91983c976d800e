"""A deployment's own parameter values (COFINANCE_PARAMETERS_DIR): merged by date into the
built-in ones, validated as strictly, and named as their source in the trace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.cli import main
from engine.rulebook import RegistryError, default_registry, evaluate
from engine.rulebook.errors import ParameterFileError
from engine.rulebook.registry import registry_for
from engine.settings import Settings, get_settings
from tests.conftest import REAAP_APPLICATION

PROJECT_ROOT = Path(__file__).resolve().parents[3]
RULE_CASES = PROJECT_ROOT / "rules" / "cases"
EXAMPLE_CASES = PROJECT_ROOT.parent / "shared" / "examples" / "cases"

# The Département of the deployment caps its Reaap share at 900 € (built in: 5 000 €), and the
# Caf will ask at most 70 % of the cost from 2030 on (built in: 80 % since 2012).
CAP = """\
description: "Plafond de la part du Département par action Reaap (délibération locale)."
reference: "Délibération du conseil départemental du 14 décembre 2023"
unit: currency
values:
  2012-01-01: "900.00"
"""
MAX_SHARE = """\
description: "Part maximale du coût qu'une demande Reaap peut solliciter de la Caf."
reference: "Règlement d'action sociale de la Caf"
unit: ratio
values:
  2030-01-01: "0.70"
"""
# A case of the département itself, written for its own cap.
LOCAL_CASE = """\
- name: The Département of this deployment pays at most 900 euros for a Reaap action
  scheme: reaap
  date: 2027-01-20
  application:
    holder: {kind: collectivite, siret: "21380185500015"}
    documents: [cerfa_12156, rib, budget]
    territory: ["38185"]
    period: {start: 2027-02-01, end: 2027-12-15}
    budget: {total_cost: "6000.00", investment_costs: "0", other_resources: "4800.00"}
    requests: {departement: "1200.00"}
    facts: {children_max_age: 18, open_to_all: true, modality: parent_exchange,
            therapeutic: false, parents_involved: true, fee_per_session: "0", commercial: false,
            reaap_charter_signed: true, laicite_charter_accepted: true, staff_cost_share: "0.5"}
  expect:
    status: eligible
    shares:
      departement: {eligible: true, amount: "900.00"}
"""


def overrides(root: Path, files: dict[str, str]) -> Path:
    folder = root / "parameters"
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_an_override_value_for_a_date_wins_and_new_dates_are_added(tmp_path: Path) -> None:
    folder = overrides(
        tmp_path, {"departement/reaap.cap.yaml": CAP, "caf/reaap.max_share.yaml": MAX_SHARE}
    )
    registry = registry_for(folder)
    cap = registry.parameters["departement.reaap.cap"]
    assert cap.starts == (date(2012, 1, 1),)
    assert cap.values == (Decimal("900.00"),)
    assert cap.at(date(2027, 1, 1)).source == str((folder / "departement/reaap.cap.yaml").resolve())
    share = registry.parameters["caf.reaap.max_share"]
    assert share.starts == (date(2012, 1, 1), date(2030, 1, 1))
    assert share.values == (Decimal("0.80"), Decimal("0.70"))
    assert share.at(date(2029, 12, 31)).source == "built-in"
    assert share.at(date(2030, 1, 1)).source.endswith("caf/reaap.max_share.yaml")
    # The built-in values themselves are untouched.
    assert registry_for(None).parameters["departement.reaap.cap"].values == (Decimal("5000.00"),)


def test_the_trace_names_the_source_of_each_parameter_value(tmp_path: Path) -> None:
    folder = overrides(tmp_path, {"departement/reaap.cap.yaml": CAP})
    application = {**REAAP_APPLICATION, "documents": ["cerfa_12156", "rib", "budget"]}
    application["holder"] = {"kind": "collectivite", "siret": "21380185500015"}
    result = evaluate(registry_for(folder), "reaap", application, date(2027, 1, 20), "38")
    assert result.shares["departement"].amount == Decimal("900.00")
    entry = next(e for e in result.trace if e.get("funder") == "departement")
    sources = {p["name"]: p["source"] for p in entry["parameters"]}
    assert sources == {
        "departement.reaap.rate": "built-in",
        "departement.reaap.cap": str((folder / "departement" / "reaap.cap.yaml").resolve()),
    }


BAD = {
    "unknown key": CAP + "comment: oops\n",
    "missing key": CAP.replace(
        'reference: "Délibération du conseil départemental du 14 décembre 2023"\n', ""
    ),
    "unsorted dates": CAP + '  2010-01-01: "800.00"\n',
    "not a date": CAP.replace("2012-01-01", "2012-13-01"),
    "other unit": CAP.replace("unit: currency", "unit: ratio").replace('"900.00"', '"0.5"'),
    "unknown unit": CAP.replace("unit: currency", "unit: euros"),
    "three decimals": CAP.replace('"900.00"', '"900.005"'),
    "negative": CAP.replace('"900.00"', '"-1.00"'),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_override_file_is_validated_like_a_built_in_one(tmp_path: Path, case: str) -> None:
    folder = overrides(tmp_path, {"departement/reaap.cap.yaml": BAD[case]})
    with pytest.raises(ParameterFileError, match=re.escape(str(folder / "departement"))):
        registry_for(folder)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("departement/reaap.plafond.yaml", "departement.reaap.plafond"),  # a typo
        ("reaap.cap.yaml", "<namespace>/<name>.yaml"),  # not in a namespace folder
        ("departement/reaap.cap.yml", "<namespace>/<name>.yaml"),
    ],
)
def test_an_override_nothing_defines_or_misplaced_is_refused(
    tmp_path: Path, name: str, message: str
) -> None:
    folder = overrides(tmp_path, {name: CAP})
    with pytest.raises(ParameterFileError, match=re.escape(message)):
        registry_for(folder)


def test_a_missing_override_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParameterFileError, match="does not exist"):
        registry_for(tmp_path / "nowhere")


def test_hidden_files_of_the_folder_are_ignored(tmp_path: Path) -> None:
    folder = overrides(tmp_path, {"departement/reaap.cap.yaml": CAP, ".git/HEAD": "ref\n"})
    (folder / "departement" / ".reaap.cap.yaml.swp").write_text("x", encoding="utf-8")
    assert registry_for(folder).parameters["departement.reaap.cap"].values == (Decimal("900"),)


def test_the_setting_chooses_the_folder_of_the_default_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = overrides(tmp_path, {"departement/reaap.cap.yaml": CAP})
    monkeypatch.setenv("COFINANCE_PARAMETERS_DIR", str(folder))
    get_settings.cache_clear()
    try:
        assert get_settings().parameters_dir == folder
        assert default_registry().parameters["departement.reaap.cap"].values == (Decimal("900"),)
    finally:
        monkeypatch.delenv("COFINANCE_PARAMETERS_DIR")
        get_settings.cache_clear()
    assert default_registry().parameters["departement.reaap.cap"].values == (Decimal("5000"),)
    assert Settings(parameters_dir="").parameters_dir is None  # type: ignore[arg-type]


def test_a_module_code_clash_is_still_refused_with_overrides(tmp_path: Path) -> None:
    """Overrides change values, never what modules are: the registry's checks still apply."""
    from engine.rulebook import Registry

    module = registry_for(None).funders["caf"]
    with pytest.raises(RegistryError, match="caf"):
        Registry.build(
            [module, module], overrides(tmp_path, {"caf/reaap.max_share.yaml": MAX_SHARE})
        )


# ---------------------------------------------------------------- `cofinance rules test`


def summary(out: str) -> tuple[int, int]:
    match = re.match(r"^(\d+) passed, (\d+) failed$", out.strip().splitlines()[-1])
    assert match, out
    return int(match[1]), int(match[2])


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A deployment whose COFINANCE_PARAMETERS_DIR caps the Département's share at 900 €."""
    folder = overrides(tmp_path, {"departement/reaap.cap.yaml": CAP})
    monkeypatch.setenv("COFINANCE_PARAMETERS_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    monkeypatch.delenv("COFINANCE_PARAMETERS_DIR")
    get_settings.cache_clear()


def test_rule_cases_pass_with_the_built_in_values_and_with_the_deployment_s(
    deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = tmp_path / "local-cases.yaml"
    local.write_text(LOCAL_CASE, encoding="utf-8")
    shipped = [str(RULE_CASES), *([str(EXAMPLE_CASES)] if EXAMPLE_CASES.is_dir() else [])]

    # The shipped cases are written for the shipped values…
    assert main(["rules", "test", "--built-in-parameters", *shipped]) == 0
    passed, failed = summary(capsys.readouterr().out)
    assert passed > 200 and failed == 0
    # … the deployment's own cases for its values (COFINANCE_PARAMETERS_DIR, by default).
    assert main(["rules", "test", str(local)]) == 0
    assert summary(capsys.readouterr().out) == (1, 0)
    assert main(["rules", "test", "--built-in-parameters", str(local)]) == 1
    assert "expected '900.00', got '1200.00'" in capsys.readouterr().out
    # Some shipped cases read the Département's cap, so they differ under the deployment's.
    assert main(["rules", "test", *shipped]) == 1
    assert summary(capsys.readouterr().out)[1] > 0
    # Another folder can be named on the command line.
    assert main(["rules", "test", "--parameters-dir", str(deployment), str(local)]) == 0
    capsys.readouterr()


def test_rules_explain_prints_the_override_file_of_a_value(
    deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = tmp_path / "local-cases.yaml"
    local.write_text(LOCAL_CASE, encoding="utf-8")
    assert main(["rules", "explain", str(local)]) == 0
    out = capsys.readouterr().out
    source = (deployment / "departement" / "reaap.cap.yaml").resolve()
    assert f"departement.reaap.cap = 900.00 (depuis le 2012-01-01, {source})" in out
    assert "departement.reaap.rate = 0.20 (depuis le 2012-01-01)" in out
