"""A posted form read into the API's application body (decimal comma, yes/no, communes, rows)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from api.pages.form_fields import PREFIX, Field, Section
from engine.rulebook import InvalidInput

_SPACES = re.compile(r"[\s\u00a0\u202f€%]")


def _number(raw: str) -> str:
    return _SPACES.sub("", raw).replace(",", ".")


def _ratio(text: str) -> str:
    """A rate as typed: `60 %`, `60` (a percentage: above 1) or `0,6` all give `0.6`."""
    number = _number(text)
    try:
        value = Decimal(number)
    except ArithmeticError:
        return number  # not a number: the service says so
    if "%" in text or value > 1:
        return format(value / 100, "f")
    return number


def commune_codes(text: str, department: str | None = None) -> list[str]:
    """The INSEE codes of the communes typed (`Grenoble (38185), St Martin d'Hères, 38421`):
    a name matching one commune gives its code; a name that matches none or several is kept as
    typed (`territory_errors` names the problem)."""
    from engine.services.communes import resolve

    codes = []
    for part in re.split(r"[,;\n]+", text):
        part = part.strip()
        if not part:
            continue
        if re.fullmatch(r"[0-9AB\s]+", part):  # codes separated by spaces
            codes.extend(part.split())
            continue
        try:
            codes.append(resolve(part, "application.territory", department))
        except InvalidInput:
            codes.append(part)
    return codes


def territory_errors(form: Any, sections: list[Section]) -> dict[str, str]:
    """The French error of the first commune typed that names no commune, or several."""
    from engine.messages import render
    from engine.services.communes import resolve

    for section in sections:
        for fld in section.fields:
            if fld.kind != "communes":
                continue
            for part in re.split(r"[,;\n]+", str(form.get(fld.name) or "")):
                part = part.strip()
                if not part or re.fullmatch(r"[0-9AB\s]+", part):
                    continue
                try:
                    resolve(part, fld.name, fld.department)
                except InvalidInput as exc:
                    error = exc.errors[0]
                    return {fld.name: render(error.code, error.params)}
    return {}


def _value(fld: Field, raw: Any, raws: list[str]) -> Any:
    """The JSON value of one input; `...` when left blank (the service then says it is missing)."""
    if fld.kind == "multi":
        return [r for r in raws if r]
    text = raw.strip() if isinstance(raw, str) else ""
    if fld.kind == "communes":
        return commune_codes(text, fld.department)
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
    if fld.kind == "ratio":
        return _ratio(text)
    if fld.kind in ("money", "quantity"):
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
