"""Dated parameters: one YAML file each, strictly validated, looked up by reference date.

Each dated value keeps its source: `built-in` for the files shipped with the engine and the rule
modules, or the path of the deployment's override file that brought it (`merge_override`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from engine.rulebook.errors import ParameterFileError, ParameterGap
from engine.rulebook.money import to_decimal

ParameterValue = Decimal | bool | str
# The source of a value shipped with the engine or a rule module (not a deployment's override).
BUILT_IN = "built-in"

_REQUIRED_KEYS = {"description", "reference", "unit", "values"}
_UNITS = {"currency", "ratio", "count", "age", "boolean", "text"}
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MEMO_LIMIT = 4096


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
    """A value together with the date it started to apply and where it was read."""

    value: ParameterValue
    since: date
    source: str = BUILT_IN

    @cached_property
    def shown(self) -> dict[str, str]:
        """The trace's account of the value: as text, since when, where it comes from. Shared
        by every evaluation that reads it: copy it, never change it."""
        value = self.value
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return {"value": text, "since": self.since.isoformat(), "source": self.source}


@dataclass(frozen=True)
class Parameter:
    """A parameter's dated values; `sources[i]` says where `values[i]` comes from (all built-in
    when `sources` is empty)."""

    name: str
    description: str
    reference: str
    unit: str
    starts: tuple[date, ...]
    values: tuple[ParameterValue, ...]
    sources: tuple[str, ...] = ()
    # The value in force on each day asked so far: every evaluation asks the same few days
    # (reference dates, submission dates), bounded by `_MEMO_LIMIT` anyway.
    _memo: dict[date, Dated] = field(default_factory=dict, init=False, repr=False, compare=False)

    def at(self, on: date) -> Dated:
        dated = self._memo.get(on)
        if dated is not None:
            return dated
        index = bisect.bisect_right(self.starts, on) - 1
        if index < 0:
            raise ParameterGap(self.name, on, self.starts[0])
        dated = Dated(self.values[index], self.starts[index], self.source_of(index))
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[on] = dated
        return dated

    def source_of(self, index: int) -> str:
        return self.sources[index] if self.sources else BUILT_IN


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


def merge_override(base: Parameter, override: Parameter, source: str) -> Parameter:
    """`base` with the dated values of `override` (read from `source`) merged in by date: a
    value of the override for a date replaces the built-in value of that date, the others are
    added. The override must have the same unit; its description and reference stay with its
    values (the trace names the file)."""
    if override.unit != base.unit:
        raise ParameterFileError(
            f"{source}: unit {override.unit!r} differs from {base.name}'s unit {base.unit!r}"
        )
    dated: dict[date, tuple[ParameterValue, str]] = {
        start: (value, base.source_of(index))
        for index, (start, value) in enumerate(zip(base.starts, base.values, strict=True))
    }
    for start, value in zip(override.starts, override.values, strict=True):
        dated[start] = (value, source)
    starts = tuple(sorted(dated))
    return Parameter(
        name=base.name,
        description=base.description,
        reference=base.reference,
        unit=base.unit,
        starts=starts,
        values=tuple(dated[start][0] for start in starts),
        sources=tuple(dated[start][1] for start in starts),
    )


def apply_overrides(parameters: dict[str, Parameter], folder: Path) -> dict[str, Parameter]:
    """The parameters with a deployment's override folder merged in.

    The folder has the layout of the built-in ones (`<namespace>/<name>.yaml`, the same format,
    validated as strictly); a file for a parameter no module defines is an error, like a typo
    would be, and so is any other file than `*.yaml` in it, so nothing is silently ignored."""
    if not folder.is_dir():
        raise ParameterFileError(f"{folder}: the parameters folder does not exist")
    merged = dict(parameters)
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() or any(part.startswith(".") for part in relative.parts):
            continue  # hidden files (an editor's, version control's) are not parameters
        if len(relative.parts) != 2 or path.suffix != ".yaml":
            raise ParameterFileError(
                f"{path}: expected <namespace>/<name>.yaml in the parameters folder {folder}"
            )
        name = f"{path.parent.name}.{path.stem}"
        if name not in merged:
            raise ParameterFileError(f"{path}: no rule module or the engine defines {name}")
        source = str(path.resolve())
        merged[name] = merge_override(merged[name], load_parameter(path, name), source)
    return merged
