"""The form's inputs filled again: from an application as stored, or as typed."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any


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
        from engine.services.communes import label_of

        values["application.territory"] = ", ".join(
            label_of(code) for code in values["application.territory"]
        )
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
