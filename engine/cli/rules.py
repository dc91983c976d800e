"""`cofinance rules test PATH...` and `cofinance rules explain FILE`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from engine.cli.errors import CommandError
from engine.rulebook import InvalidInput, Registry, RuleError
from engine.rulebook.cases import CaseFileError, check_case, load_cases, run_case
from engine.rulebook.parameters import BUILT_IN
from engine.rulebook.registry import registry_for
from engine.settings import get_settings


def register(commands: Any) -> None:
    rules = commands.add_parser("rules", help="rule cases: test and explain")
    sub = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    test = sub.add_parser("test", help="run rule test cases (files or folders of *.yaml)")
    test.add_argument("paths", nargs="+", metavar="PATH")
    _parameter_options(test)
    test.set_defaults(handler=test_cases)
    explain = sub.add_parser("explain", help="print each case's full result and trace")
    explain.add_argument("file", metavar="FILE")
    explain.add_argument("--json", action="store_true", help="print the results as JSON")
    _parameter_options(explain)
    explain.set_defaults(handler=explain_cases)


def _parameter_options(parser: argparse.ArgumentParser) -> None:
    """Which parameter values the cases run with: the deployment's (COFINANCE_PARAMETERS_DIR,
    the default), another override folder, or the built-in values only."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--parameters-dir",
        type=Path,
        metavar="DIR",
        help="override folder of parameter values (instead of COFINANCE_PARAMETERS_DIR)",
    )
    group.add_argument(
        "--built-in-parameters",
        action="store_true",
        help="ignore any override folder: the values shipped with the engine and the modules",
    )


def _registry(args: argparse.Namespace) -> Registry:
    if getattr(args, "built_in_parameters", False):
        overrides = None
    elif getattr(args, "parameters_dir", None) is not None:
        overrides = args.parameters_dir
    else:
        overrides = get_settings().parameters_dir
    try:
        return registry_for(overrides)
    except RuleError as exc:
        raise CommandError(str(exc)) from None


def test_cases(args: argparse.Namespace) -> int:
    registry = _registry(args)
    department = get_settings().department
    passed = failed = 0
    try:
        for case in load_cases(args.paths):
            diffs = check_case(registry, case, department)
            if diffs:
                failed += 1
                print(f"FAILED {case.label}")
                for diff in diffs:
                    print(f"    {diff}")
            else:
                passed += 1
    except CaseFileError as exc:
        raise CommandError(str(exc)) from None
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def explain_cases(args: argparse.Namespace) -> int:
    registry = _registry(args)
    department = get_settings().department
    results = []
    try:
        for case in load_cases([args.file]):
            try:
                evaluation = run_case(registry, case, department)
            except InvalidInput as exc:
                raise CommandError(f"{case.label}: {exc}") from None
            except RuleError as exc:
                if args.json:
                    results.append({"name": case.name, "error": str(exc)})
                else:
                    print(f"# {case.name}\n  error: {exc}\n")
                continue
            if args.json:
                results.append({"name": case.name, **evaluation.as_json()})
            else:
                print(render(case.name, evaluation.as_json()))
    except CaseFileError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


def _params(entry: dict[str, Any]) -> list[str]:
    return [
        f"{p['name']} = {p['value']} (depuis le {p['since']}"
        + ("" if p.get("source", BUILT_IN) == BUILT_IN else f", {p['source']}")
        + ")"
        for p in entry["parameters"]
    ]


def render(name: str, result: dict[str, Any]) -> str:
    """The human-readable explanation of one result: rules, shares, flags and their sources."""
    lines = [
        f"# {name}",
        f"scheme {result['scheme']} · submitted {result['date']} · "
        f"reference date {result['reference_date']}",
        f"status: {result['status']}"
        + (f" (failed: {', '.join(result['failed'])})" if result["failed"] else ""),
        "",
        "Rules:",
    ]
    for entry in result["trace"]:
        if entry["subject"] == "eligibility":
            mark = "ok  " if entry["passed"] else "FAIL"
            lines.append(f"  {mark} {entry['rule']:<6} {entry['message']}")
            details = [f"{k} = {v}" for k, v in entry["facts"].items()] + _params(entry)
            if details:
                lines.append(f"         reads: {'; '.join(details)}")
    lines.append("")
    lines.append("Shares:")
    for entry in result["trace"]:
        if entry["subject"] != "share":
            continue
        share = result["shares"][entry["funder"]]
        amount = "decided by hand" if share["amount"] is None else share["amount"]
        state = "eligible" if share["eligible"] else "not eligible"
        lines.append(f"  {entry['funder']:<12} requested {share['requested']} → {amount} ({state})")
        lines.append(f"      {entry['message']}")
        if entry["formula"]:
            lines.append(f"      formula: {entry['formula']}")
        details = [f"{k} = {v}" for k, v in entry["facts"].items()] + _params(entry)
        if details:
            lines.append(f"      reads: {'; '.join(details)}")
    lines.append("")
    lines.append(
        f"Flags: {json.dumps(result['flags'], ensure_ascii=False) if result['flags'] else 'none'}"
    )
    return "\n".join(lines) + "\n"
