"""Dated parameters: one YAML file each, strictly validated, looked up by reference date."""

from __future__ import annotations

import bisect
import re
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine.rulebook.errors import ParameterFileError, ParameterGap
from engine.rulebook.money import to_decimal

ParameterValue = Decimal | bool | str

_REQUIRED_KEYS = {"description", "reference", "unit", "values"}
_UNITS = {"currency", "ratio", "count", "age", "boolean", "text"}
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _StrictLoader(yaml.BaseLoader):
    """BaseLoader that refuses a key written twice (YAML would silently keep the last value)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """A YAML syntax error on one line (PyYAML's own message spans several, with a snippet)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return " ".join(str(exc).split())


@dataclass(frozen=True)
class Dated:
    """A value together with the date it started to apply."""

    value: ParameterValue
    since: date


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    reference: str
    unit: str
    starts: tuple[date, ...]
    values: tuple[ParameterValue, ...]

    def at(self, on: date) -> Dated:
        index = bisect.bisect_right(self.starts, on) - 1
        if index < 0:
            raise ParameterGap(self.name, on, self.starts[0])
        return Dated(self.values[index], self.starts[index])


def _parse_value(raw: object, unit: str, where: str) -> ParameterValue:
    if unit == "boolean":
        if not isinstance(raw, bool):
            raise ParameterFileError(f"{where}: expected true or false")
        return raw
    if unit == "text":
        if not isinstance(raw, str):
            raise ParameterFileError(f"{where}: expected text")
        return raw
    try:
        value = to_decimal(raw, max_places=2 if unit == "currency" else None)
    except ValueError as exc:
        raise ParameterFileError(f"{where}: {exc}") from None
    if unit in ("count", "age") and value != value.to_integral_value():
        raise ParameterFileError(f"{where}: a {unit} is a whole number")
    if unit == "ratio" and not Decimal(0) <= value <= Decimal(1):
        raise ParameterFileError(f"{where}: a ratio lies between 0 and 1")
    if value < 0:
        raise ParameterFileError(f"{where}: negative value")
    return value


def load_parameter(path: Path, name: str) -> Parameter:
    """Read one parameter file; any deviation from the format is an error naming the file."""
    try:
        # BaseLoader keeps every scalar as text, so dates and decimals are never mis-typed by YAML.
        data: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise ParameterFileError(f"{path}: not valid YAML: {describe_yaml_error(exc)}") from None
    if not isinstance(data, dict):
        raise ParameterFileError(f"{path}: expected a mapping")
    unknown = set(data) - _REQUIRED_KEYS
    missing = _REQUIRED_KEYS - set(data)
    if unknown:
        raise ParameterFileError(f"{path}: unknown keys {sorted(unknown)}")
    if missing:
        raise ParameterFileError(f"{path}: missing keys {sorted(missing)}")
    for key in ("description", "reference", "unit"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise ParameterFileError(f"{path}: {key} must be non-empty text")
    unit = data["unit"]
    if unit not in _UNITS:
        raise ParameterFileError(f"{path}: unit must be one of {sorted(_UNITS)}")
    raw_values = data["values"]
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterFileError(f"{path}: values must map start dates to values")
    starts: list[date] = []
    values: list[ParameterValue] = []
    for key, raw in raw_values.items():
        try:
            if not _ISO_DAY.fullmatch(key):
                raise ValueError(key)
            start = date.fromisoformat(key)
        except ValueError:
            raise ParameterFileError(f"{path}: {key!r} is not a YYYY-MM-DD date") from None
        if starts and start <= starts[-1]:
            raise ParameterFileError(f"{path}: dates must be strictly increasing ({key})")
        if unit == "boolean" and raw in ("true", "false"):
            raw = raw == "true"
        starts.append(start)
        values.append(_parse_value(raw, unit, f"{path} at {key}"))
    return Parameter(
        name=name,
        description=data["description"].strip(),
        reference=data["reference"].strip(),
        unit=unit,
        starts=tuple(starts),
        values=tuple(values),
    )


def load_tree(root: Path) -> dict[str, Parameter]:
    """Load `<root>/<namespace>/<name>.yaml` files as parameters named `<namespace>.<name>`."""
    parameters: dict[str, Parameter] = {}
    for path in sorted(root.glob("*/*.yaml")):
        name = f"{path.parent.name}.{path.stem}"
        parameters[name] = load_parameter(path, name)
    return parameters
