"""`cofinance rules test PATH...` and `cofinance rules explain FILE` (DESIGN §3, §7)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RULE_CASES = PROJECT_ROOT / "rules" / "cases"
EXAMPLE_CASES = PROJECT_ROOT.parent / "shared" / "examples" / "cases"
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")

PASSING_CASE = """\
- name: A Reaap action the CAF funds as asked
  scheme: reaap
  date: 2025-01-20
  department: "38"
  application:
    holder: {kind: collectivite, siret: "21380185500015"}
    documents: [cerfa_12156, rib, budget]
    territory: ["38185"]
    period: {start: 2025-02-01, end: 2025-12-15}
    budget: {total_cost: "5000.00", investment_costs: "0", other_resources: "1000.00"}
    requests: {caf: "4000.00"}
    facts:
      children_max_age: 18
      open_to_all: true
      modality: parent_exchange
      therapeutic: false
      parents_involved: true
      fee_per_session: "0"
      commercial: false
      reaap_charter_signed: true
      laicite_charter_accepted: true
      staff_cost_share: "0.5"
  expect:
    status: eligible
    shares:
      caf: {eligible: true, amount: "4000.00"}
"""
FAILING_CASE = PASSING_CASE.replace(
    "A Reaap action the CAF funds", "A wrong expectation about what the CAF pays"
).replace('amount: "4000.00"}', 'amount: "3999.99"}')


def write(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def summary(out: str) -> tuple[int, int]:
    last = out.strip().splitlines()[-1]
    match = SUMMARY.match(last)
    assert match, f"last line is {last!r}"
    return int(match[1]), int(match[2])


def test_rules_test_passes_every_project_case(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["rules", "test", str(RULE_CASES)])
    out = capsys.readouterr().out
    passed, failed = summary(out)
    assert (status, failed) == (0, 0)
    assert passed > 150
    assert "FAILED" not in out


def test_rules_test_passes_the_eleven_shared_acceptance_cases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not EXAMPLE_CASES.is_dir():
        pytest.skip(f"{EXAMPLE_CASES} is not next to the project")
    status = main(["rules", "test", str(EXAMPLE_CASES)])
    out = capsys.readouterr().out
    assert status == 0
    assert out.strip().splitlines()[-1] == "11 passed, 0 failed"


def test_rules_test_exits_1_and_says_what_differed_when_a_case_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, PASSING_CASE + "\n" + FAILING_CASE)
    status = main(["rules", "test", str(path)])
    out = capsys.readouterr().out
    assert status == 1
    assert summary(out) == (1, 1)
    assert "FAILED cases.yaml: A wrong expectation about what the CAF pays" in out
    assert "shares.caf.amount: expected '3999.99', got '4000.00'" in out


def test_rules_test_takes_several_paths_files_and_folders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    write(folder, PASSING_CASE, "a.yaml")
    write(folder, PASSING_CASE, "b.yaml")
    (folder / "notes.txt").write_text("not a case file", encoding="utf-8")
    single = write(tmp_path, PASSING_CASE)
    assert main(["rules", "test", str(folder), str(single)]) == 0
    assert summary(capsys.readouterr().out) == (3, 0)


def test_an_expected_parameter_gap_is_a_passing_case(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = PASSING_CASE.replace("2025-02-01", "2011-02-01").replace("2025-12-15", "2011-12-15")
    text = text.split("  expect:")[0] + "  expect:\n    error: ParameterGap\n"
    assert main(["rules", "test", str(write(tmp_path, text))]) == 0
    assert summary(capsys.readouterr().out) == (1, 0)


MALFORMED = {
    "not_yaml": "- name: [unclosed\n",
    "not_a_list": "name: a single mapping\n",
    "missing_key": "- {name: no scheme, date: 2025-01-20, application: {}, expect: {}}\n",
    "unknown_key": PASSING_CASE.replace(
        "  expect:", "  expected:\n    status: eligible\n  expect:"
    ),
    "unknown_expect_key": PASSING_CASE.replace("    status: eligible", "    statut: eligible"),
    "not_a_mapping": "- just a sentence\n",
    "unknown_scheme": PASSING_CASE.replace("scheme: reaap", "scheme: reaapp"),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_case_file_is_a_one_line_error_with_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path = write(tmp_path, MALFORMED[kind], f"{kind}.yaml")
    status = main(["rules", "test", str(path)])
    captured = capsys.readouterr()
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("cofinance: error: ")
    assert f"{kind}.yaml" in lines[0]
    assert "Traceback" not in captured.err + captured.out


def test_the_unknown_scheme_is_named_in_the_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, MALFORMED["unknown_scheme"])
    assert main(["rules", "test", str(path)]) == 2
    assert "unknown scheme 'reaapp'" in capsys.readouterr().err


def test_a_missing_path_is_a_one_line_error_with_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main(["rules", "test", str(tmp_path / "nowhere.yaml")])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.count("\n") == 1 and "nowhere.yaml" in captured.err


def test_rules_explain_prints_rules_shares_formulas_and_dated_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["rules", "explain", str(RULE_CASES / "clas.yaml")])
    out = capsys.readouterr().out
    assert status == 0
    # rules, with their outcome
    assert "Rules:" in out and re.search(r"ok\s+G1\s", out) and re.search(r"FAIL\s+C3@1", out)
    # shares, with the formula and the parameter values with the day they started
    assert "Shares:" in out and "formula: min(demande" in out
    assert "caf.clas.rate = 0.325 (depuis le 2015-09-01)" in out
    assert "caf.clas.rate = 0.30 (depuis le 2004-09-01)" in out
    assert "caf.clas.plafond = 7886.15 (depuis le 2015-09-01)" in out
    assert "clas.max_group_size = 12 (depuis le 2001-06-01)" in out
    # flags, and the reference date used
    assert 'Flags: {"financing_gap": "3250.00"}' in out
    assert "reference date 2024-09-01" in out
    # a case expecting an error explains the error
    assert "error: parameter caf.clas.rate has no value on 2003-09-01" in out


def test_rules_explain_as_json_gives_each_case_result_and_trace(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "explain", "--json", str(RULE_CASES / "caf.yaml")]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results[0]["name"].startswith("CAF-REAAP")
    assert results[0]["shares"]["caf"]["amount"] == "4000.00"
    assert any(entry["subject"] == "share" for entry in results[0]["trace"])


def test_rules_explain_of_a_malformed_file_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main(["rules", "explain", str(write(tmp_path, MALFORMED["not_a_list"]))])
    captured = capsys.readouterr()
    assert status == 2
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err


# ---------------------------------------------------------------- the installed command


def cofinance(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("cofinance")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())"]
    )
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120
    )


def test_the_installed_command_runs_the_cases_and_sets_its_exit_status(tmp_path: Path) -> None:
    good = cofinance("rules", "test", "rules/cases")
    assert good.returncode == 0, good.stdout + good.stderr
    assert summary(good.stdout)[1] == 0

    bad = cofinance("rules", "test", str(write(tmp_path, FAILING_CASE)))
    assert bad.returncode == 1
    assert summary(bad.stdout) == (0, 1)

    malformed = cofinance("rules", "test", str(write(tmp_path, "{", "broken.yaml")))
    assert malformed.returncode == 2
    assert malformed.stderr.startswith("cofinance: error: ")
    assert "Traceback" not in malformed.stderr
