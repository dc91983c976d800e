"""The form's fields: their kinds, French labels and hints, as the models declare them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from engine.rulebook import Count, Day, Flag, Money, Quantity, Ratio, SchemeModule
from engine.rulebook.labels import application_label, choices, nested_model, unwrap

PREFIX = "application."
# The form's own fields, around the application body (whose labels its models declare).
PAGE_FIELDS = {
    "call_id": "Appel à projets",
    "title": "Intitulé de l'action",
    "application": "Demande",
}
GROUP_ROWS_EXTRA = 1


@dataclass
class Field:
    name: str
    label: str
    kind: (
        str  # text | count | flag | money | ratio | quantity | day | choice | multi | words | group
    )
    choices: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""
    children: list[Field] = field(default_factory=list)
    required: bool = True
    # The département whose communes a commune picker offers first (kind "communes").
    department: str | None = None

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass
class Section:
    title: str
    fields: list[Field]
    intro: str = ""


def _validator(alias: Any) -> Any:
    return get_args(alias)[1].func


# The input types of the rule API, recognised by their validator.
_KINDS = {
    _validator(Money): "money",
    _validator(Ratio): "ratio",
    _validator(Quantity): "quantity",
    _validator(Count): "count",
    _validator(Flag): "flag",
    _validator(Day): "day",
}


def _kind(annotation: Any, metadata: list[Any]) -> str:
    for item in metadata:
        kind = _KINDS.get(getattr(item, "func", None))
        if kind:
            return kind
    if annotation is date:
        return "day"
    if get_origin(annotation) is Literal:
        return "choice"
    return "text"


def field_label(path: str, scheme: SchemeModule | None = None) -> str:
    """The French label of a field named by its path in the form or in an error
    (`application.budget.total_cost`, `application.facts.groups.0.cost`), as the models of the
    application and of the scheme's facts declare it."""
    if path in PAGE_FIELDS:
        return PAGE_FIELDS[path]
    if path.startswith(PREFIX):
        return application_label(scheme.facts if scheme else None, path.removeprefix(PREFIX))
    return path


def labeller(scheme: SchemeModule | None) -> Callable[[str], str]:
    """`field_label` for the applications of one scheme (for the templates)."""
    return partial(field_label, scheme=scheme)


HINTS = {
    "money": "En euros, par exemple 1 500,00",
    "ratio": "En pourcentage, par exemple 60 % (ou 0,6)",
    "quantity": "Nombre décimal, par exemple 0,8",
    "count": "Nombre entier",
    "words": "Séparés par des virgules",
}


def model_fields(model: type[BaseModel], prefix: str) -> list[Field]:
    """One input per field of `model`, labelled as the model declares (its `title`, and each
    fixed value's label in its `choices`)."""
    fields = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        label = info.title or name
        annotation, metadata = unwrap(info.annotation)
        metadata = [*info.metadata, *metadata]
        required = info.is_required()
        if get_origin(annotation) is list:
            inner = nested_model(info)
            if inner is not None:
                children = model_fields(inner, f"{path}.#.")
                fields.append(Field(path, label, "group", children=children))
            elif get_origin(unwrap(get_args(annotation)[0])[0]) is Literal:
                fields.append(Field(path, label, "multi", choices(info), required=False))
            else:
                fields.append(Field(path, label, "words", hint=HINTS["words"]))
            continue
        kind = _kind(annotation, metadata)
        options = choices(info) if kind == "choice" else []
        fields.append(Field(path, label, kind, options, HINTS.get(kind, ""), required=required))
    return fields


def group_row_count(values: dict[str, Any], fld: Field) -> int:
    base = fld.name + "."
    indexes = {
        int(k[len(base) :].split(".", 1)[0])
        for k in values
        if k.startswith(base) and k[len(base) :].split(".", 1)[0].isdigit()
    }
    return (max(indexes) + 1 if indexes else 0) + GROUP_ROWS_EXTRA
