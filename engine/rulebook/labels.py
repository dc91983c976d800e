"""French labels of an application's fields and of their choices, read from the models.

A facts model declares its labels itself: each field's French label is its pydantic `title`
(with an optional `description`), and a field whose values are fixed (a `Literal`, or a list of
them) gives the French label of each value in `json_schema_extra={"choices": {value: label}}`:

    modality: Literal["parent_exchange", "individual"] = Field(
        title="Modalité de l'action",
        json_schema_extra={"choices": {"parent_exchange": "Groupe d'échange entre parents",
                                       "individual": "Accompagnement individuel"}},
    )

(or `json_schema_extra=with_choices(LABELS)` for a mapping kept in a variable). The pages and
the trace read them here, so a scheme installed later shows French words without any change to
the engine or the pages; the registry refuses a scheme that leaves a field or a value unlabelled.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from engine.rulebook.application import ApplicationFacts
from engine.rulebook.types import CHOICES_KEY

_SUFFIX = re.compile(r"^(?P<path>[^ ]+) (?P<note>\(.*\))$")


def unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """`Annotated[T, ...]` → (T, metadata); an optional type gives its inner type."""
    metadata: list[Any] = []
    while get_origin(annotation) is typing.Annotated:
        args = get_args(annotation)
        annotation, metadata = args[0], [*metadata, *args[1:]]
    if get_origin(annotation) in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            return unwrap(inner[0])
    return annotation, metadata


def _item(annotation: Any) -> Any:
    """The type of a list's items, or the type itself."""
    annotation, _ = unwrap(annotation)
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        annotation, _ = unwrap(item)
    return annotation


def nested_model(info: FieldInfo) -> type[BaseModel] | None:
    """The model a field holds (itself, or as the items of a list), if any."""
    item = _item(info.annotation)
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None


def literal_values(info: FieldInfo) -> tuple[str, ...]:
    """The fixed values of a `Literal` field (or of a list of them); empty for other fields."""
    item = _item(info.annotation)
    return tuple(str(v) for v in get_args(item)) if get_origin(item) is Literal else ()


def choice_labels(info: FieldInfo) -> dict[str, str]:
    """Value → French label, as the field declares them."""
    extra = info.json_schema_extra
    choices = extra.get(CHOICES_KEY) if isinstance(extra, dict) else None
    if not isinstance(choices, dict):
        return {}
    return {str(value): str(label) for value, label in choices.items()}


def choices(info: FieldInfo) -> list[tuple[str, str]]:
    """(value, French label) of each fixed value of a field, in the order of its type."""
    labels = choice_labels(info)
    return [(value, labels.get(value, value)) for value in literal_values(info)]


def field_info(model: type[BaseModel], path: str) -> FieldInfo | None:
    """The field at a dotted path of `model` (list positions such as `groups.0.cost` skipped)."""
    current: type[BaseModel] | None = model
    info: FieldInfo | None = None
    for part in (p for p in path.split(".") if not p.isdigit()):
        if current is None:
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = nested_model(info)
    return info


def field_title(model: type[BaseModel], path: str) -> str | None:
    """The French label of the field at `path` of `model`, None when it has none."""
    info = field_info(model, path)
    return info.title if info is not None else None


def application_label(facts: type[BaseModel] | None, path: str) -> str:
    """The French label of a field of an application body (`holder.kind`, `budget.total_cost`,
    `facts.groups.0.cost` read in the scheme's `facts` model, `requests.caf`); the path itself
    when no model names it (a fact a rule reads under a name of its own)."""
    match = _SUFFIX.match(path)
    if match:  # `facts.mediators (ETP total)`: a value a rule derived from a field
        return f"{application_label(facts, match['path'])} {match['note']}"
    parts = path.split(".")
    if parts[0] == "facts" and len(parts) > 1:
        title = field_title(facts, ".".join(parts[1:])) if facts is not None else None
        return title or path
    if parts[0] == "requests" and len(parts) == 2:
        return f"{field_title(ApplicationFacts, 'requests')} ({parts[1]})"
    return field_title(ApplicationFacts, path) or path


def missing_labels(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The fields of `model` (nested ones too) without a title, and the fixed values without a
    label (`modality=individual`): what a person would otherwise read as a code."""
    missing: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if not (info.title or "").strip():
            missing.append(path)
        labels = choice_labels(info)
        missing.extend(f"{path}={v}" for v in literal_values(info) if not labels.get(v, "").strip())
        inner = nested_model(info)
        if inner is not None:
            missing.extend(missing_labels(inner, f"{path}."))
    return missing
