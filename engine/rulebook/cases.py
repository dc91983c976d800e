"""The rule test case runner behind `cofinance rules test` and `cofinance rules explain`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine.rulebook.errors import FieldError, InvalidInput, RuleError
from engine.rulebook.evaluate import Evaluation, evaluate
from engine.rulebook.module import FunderConfig
from engine.rulebook.money import to_decimal
from engine.rulebook.parameters import describe_yaml_error
from engine.rulebook.registry import Registry

_CASE_KEYS = {"name", "scheme", "date", "department", "funders", "application", "expect"}
_EXPECT_KEYS = {"status", "failed", "shares", "flags", "error"}
_SHARE_KEYS = {"eligible", "amount", "failed"}


class CaseFileError(RuleError):
    """A case file is malformed: the message names the file, the case and the field."""


@dataclass
class Case:
    file: Path
    index: int
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data.get("name") or f"case {self.index + 1}")

    @property
    def label(self) -> str:
        return f"{self.file.name}: {self.name}"


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise CaseFileError(f"{path}: no such file or folder")
    return files


def load_cases(paths: Iterable[str | Path]) -> Iterator[Case]:
    for file in case_files(paths):
        try:
            content = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise CaseFileError(f"{file}: not valid YAML: {describe_yaml_error(exc)}") from None
        if not isinstance(content, list):
            raise CaseFileError(f"{file}: expected a list of cases")
        for index, data in enumerate(content):
            where = f"{file}: case {index + 1}"
            if not isinstance(data, dict):
                raise CaseFileError(f"{where}: expected a mapping")
            unknown = set(data) - _CASE_KEYS
            if unknown:
                raise CaseFileError(f"{where}: unknown keys {sorted(unknown)}")
            for key in ("scheme", "date", "application", "expect"):
                if key not in data:
                    raise CaseFileError(f"{where}: missing key {key!r}")
            expect = data["expect"]
            if not isinstance(expect, dict) or set(expect) - _EXPECT_KEYS:
                raise CaseFileError(f"{where}: expect takes only {sorted(_EXPECT_KEYS)}")
            yield Case(file, index, data)


def _funders(raw: object) -> dict[str, FunderConfig] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidInput([FieldError("funders", "mapping_expected")])
    configs = {}
    for code, settings in raw.items():
        settings = settings or {}
        if not isinstance(settings, dict):
            raise InvalidInput([FieldError(f"funders.{code}", "mapping_expected")])
        unknown = set(settings) - {"kind", "insee", "name", "advance_rate"}
        if unknown:
            raise InvalidInput(
                [FieldError(f"funders.{code}", "unknown_keys", keys=", ".join(sorted(unknown)))]
            )
        rate = settings.get("advance_rate")
        configs[str(code)] = FunderConfig(
            code=str(code),
            kind=str(settings.get("kind", code)),
            insee=None if settings.get("insee") is None else str(settings["insee"]),
            name=settings.get("name"),
            advance_rate=None if rate is None else to_decimal(rate),
        )
    return configs


def _date(raw: object, field: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput([FieldError(field, "date_expected", value=str(raw))]) from None


def run_case(registry: Registry, case: Case, department: str) -> Evaluation:
    data = case.data
    return evaluate(
        registry,
        str(data["scheme"]),
        data["application"],
        _date(data["date"], "date"),
        str(data.get("department", department)),
        _funders(data.get("funders")),
    )


def _same_amount(expected: object, actual: str | None) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    try:
        return to_decimal(expected) == Decimal(actual)
    except ValueError:
        return False


def differences(expect: dict[str, Any], result: Evaluation) -> list[str]:
    """What differs between a case's expectations and an evaluation (only the keys present)."""
    found = result.as_json()
    diffs: list[str] = []
    if "status" in expect and expect["status"] != found["status"]:
        diffs.append(f"status: expected {expect['status']}, got {found['status']}")
    if "failed" in expect and set(map(str, expect["failed"] or [])) != set(found["failed"]):
        diffs.append(f"failed: expected {sorted(expect['failed'] or [])}, got {found['failed']}")
    for funder, wanted in (expect.get("shares") or {}).items():
        share = found["shares"].get(funder)
        if share is None:
            diffs.append(f"shares.{funder}: expected a share, got none")
            continue
        for key in set(wanted) & _SHARE_KEYS:
            value = wanted[key]
            if key == "amount":
                ok = _same_amount(value, share["amount"])
            elif key == "failed":
                ok = set(value or []) == set(share["failed"])
            else:
                ok = value == share[key]
            if not ok:
                diffs.append(f"shares.{funder}.{key}: expected {value!r}, got {share[key]!r}")
    if "flags" in expect:
        wanted_flags = _normal_flags(expect["flags"] or {})
        if wanted_flags != _normal_flags(found["flags"]):
            diffs.append(f"flags: expected {expect['flags']}, got {found['flags']}")
    return diffs


def _normal_flags(flags: dict[str, Any]) -> dict[str, Any]:
    normal: dict[str, Any] = {}
    for key, value in flags.items():
        if isinstance(value, list):
            normal[key] = sorted(map(str, value))
        else:
            try:
                normal[key] = to_decimal(value)
            except ValueError:
                normal[key] = value
    return normal


def check_case(registry: Registry, case: Case, department: str) -> list[str]:
    """Run one case; an empty list means it passed."""
    expect = case.data["expect"]
    wanted_error = expect.get("error")
    scheme = str(case.data["scheme"])
    if scheme not in registry.schemes and not wanted_error:
        # A typo in a case file is a malformed file, not a failing rule (exit status 2).
        raise CaseFileError(f"{case.file}: case {case.index + 1}: unknown scheme {scheme!r}")
    try:
        result = run_case(registry, case, department)
    except RuleError as exc:
        names = {cls.__name__ for cls in type(exc).__mro__}
        if wanted_error and wanted_error in names:
            return []
        return [f"error: {type(exc).__name__}: {exc}"]
    if wanted_error:
        return [f"expected error {wanted_error}, got status {result.status}"]
    return differences(expect, result)
