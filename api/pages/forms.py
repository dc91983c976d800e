"""The guided application form (CERFA 12156) and its translation to the API's application body.

Each input is named by the field path the services use in their errors
(`application.budget.total_cost`, `application.facts.groups.0.cost`), so an error lands beside its
field. Values are passed on as typed, only reshaped (French decimal comma, yes/no radios): the
service validates them, the form does not judge them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from engine.rulebook import Count, Day, Flag, Money, Quantity, Ratio, SchemeModule
from engine.rulebook.application import Holder
from engine.rulebook.labels import application_label, choices, nested_model, unwrap

PREFIX = "application."
# The form's own fields, around the application body (whose labels its models declare).
PAGE_FIELDS = {
    "call_id": "Appel à projets",
    "title": "Intitulé de l'action",
    "application": "Demande",
}
_SPACES = re.compile(r"[\s\u00a0\u202f€%]")
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
    "ratio": "Entre 0 et 1 : 0,5 pour 50 %",
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


def application_sections(scheme: SchemeModule, funders: list[tuple[str, str]]) -> list[Section]:
    """The form, in the order of the CERFA 12156: holder, project, territory, period, budget."""
    holder = [
        Field("application.holder.name", field_label("application.holder.name"), "text"),
        Field(
            "application.holder.kind",
            field_label("application.holder.kind"),
            "choice",
            choices(Holder.model_fields["kind"]),
        ),
        Field(
            "application.holder.siret",
            field_label("application.holder.siret"),
            "code",
            hint="14 chiffres",
        ),
        Field(
            "application.holder.rna",
            field_label("application.holder.rna"),
            "code",
            hint="Pour une association : W suivi de 9 chiffres",
            required=False,
        ),
        Field(
            "application.holder.cer_signed", field_label("application.holder.cer_signed"), "flag"
        ),
    ]
    project = [
        Field("title", field_label("title"), "text"),
        Field("application.renewal", field_label("application.renewal"), "flag"),
        Field(
            "application.previous_report_filed",
            field_label("application.previous_report_filed"),
            "flag",
        ),
    ]
    territory = [
        Field(
            "application.territory",
            field_label("application.territory"),
            "words",
            hint="Codes INSEE séparés par des virgules, par exemple 38185, 38421",
        ),
        Field("application.period.start", field_label("application.period.start"), "day"),
        Field("application.period.end", field_label("application.period.end"), "day"),
    ]
    charges = [
        Field(
            "application.budget.total_cost",
            field_label("application.budget.total_cost"),
            "money",
            hint=HINTS["money"],
        ),
        Field(
            "application.budget.investment_costs",
            field_label("application.budget.investment_costs"),
            "money",
            hint="Le comité finance le fonctionnement : normalement 0",
        ),
    ]
    income = [
        Field(
            "application.budget.other_resources",
            field_label("application.budget.other_resources"),
            "money",
            hint=HINTS["money"],
        ),
        *[
            Field(
                f"application.requests.{code}",
                f"Subvention demandée à : {name}",
                "money",
                hint="Laissez vide pour ne rien demander à ce financeur",
                required=False,
            )
            for code, name in funders
        ],
    ]
    facts = model_fields(scheme.facts, "application.facts.")
    sections = [
        Section("1. Le porteur du projet", holder),
        Section("2. Le projet", project),
        Section("3. Territoire et période", territory),
        Section(
            "4. Budget prévisionnel : charges",
            charges,
            "Le budget doit être équilibré : total des charges = autres produits + "
            "subventions demandées.",
        ),
        Section("5. Budget prévisionnel : produits", income, "Une ligne par financeur sollicité."),
    ]
    if facts:
        sections.append(Section(f"6. Critères du dispositif : {scheme.label}", facts))
    return sections


# ---------------------------------------------------------------- form → body


def _number(raw: str) -> str:
    return _SPACES.sub("", raw).replace(",", ".")


def _value(fld: Field, raw: Any, raws: list[str]) -> Any:
    """The JSON value of one input; `...` when left blank (the service then says it is missing)."""
    if fld.kind == "multi":
        return [r for r in raws if r]
    text = raw.strip() if isinstance(raw, str) else ""
    if fld.kind == "words":
        return [t for t in re.split(r"[,;\s]+", text) if t]
    if text == "":
        return ...
    if fld.kind == "flag":
        return {"oui": True, "non": False}.get(text, text)
    if fld.kind == "count":
        try:
            return int(text)
        except ValueError:
            return text
    if fld.kind in ("money", "ratio", "quantity"):
        return _number(text)
    if fld.kind == "code":  # SIRET, RNA: typed in groups, read without the spaces
        return _SPACES.sub("", text)
    return text


def _set(target: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def _group_rows(form: Any, fld: Field) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    index = 0
    while True:
        names = [child.name.replace("#", str(index)) for child in fld.children]
        if not any(n in form for n in names):
            break
        row: dict[str, Any] = {}
        for child, name in zip(fld.children, names, strict=True):
            value = _value(child, form.get(name), form.getlist(name))
            if value is not ... and value != []:
                row[name.rsplit(".", 1)[1]] = value
            elif child.kind in ("multi", "words"):
                row[name.rsplit(".", 1)[1]] = []
        blank = all(v in ([], ...) for v in row.values()) or not row
        rows.append({} if blank else row)
        index += 1
    while rows and not rows[-1]:
        rows.pop()
    return rows


def application_body(form: Any, sections: list[Section]) -> tuple[str, dict[str, Any]]:
    """(title, application body) from a posted form."""
    # The CERFA's blocks are always there, so a blank input is reported on its own field.
    body: dict[str, Any] = {"holder": {}, "period": {}, "budget": {}, "requests": {}, "facts": {}}
    title = ""
    for section in sections:
        for fld in section.fields:
            if fld.name == "title":
                title = str(form.get("title") or "").strip()
                continue
            path = fld.name.removeprefix(PREFIX).split(".")
            if fld.kind == "group":
                _set(body, path, _group_rows(form, fld))
                continue
            value = _value(fld, form.get(fld.name), form.getlist(fld.name))
            if value is not ...:  # left blank: the service says whether it was needed
                _set(body, path, value)
    return title, body


# ---------------------------------------------------------------- body → form values


def _display(value: Any) -> Any:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return value.replace(".", ",")
    return value


def form_values(title: str, data: dict[str, Any]) -> dict[str, Any]:
    """The inputs' values for an application as stored (to edit it)."""
    values: dict[str, Any] = {"title": title}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}", inner)
        elif isinstance(value, list):
            values[prefix] = [str(v) for v in value]
        elif value is not None:
            values[prefix] = _display(value)

    walk("application", data)
    if isinstance(values.get("application.territory"), list):
        values["application.territory"] = ", ".join(values["application.territory"])
    for key, value in list(values.items()):
        if key.endswith(".levels") and isinstance(value, list):
            values[key] = ", ".join(value)
    return values


def raw_values(form: Any) -> dict[str, Any]:
    """What was typed, to show the form again with its errors."""
    values: dict[str, Any] = {}
    for key in form:
        items = form.getlist(key)
        values[key] = items if len(items) > 1 else items[0]
    return values


def group_row_count(values: dict[str, Any], fld: Field) -> int:
    base = fld.name + "."
    indexes = {
        int(k[len(base) :].split(".", 1)[0])
        for k in values
        if k.startswith(base) and k[len(base) :].split(".", 1)[0].isdigit()
    }
    return (max(indexes) + 1 if indexes else 0) + GROUP_ROWS_EXTRA
