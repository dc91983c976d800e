"""Values, parameters and formulas in French words, for the rule trace told in words."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, get_args

from pydantic import BaseModel

from engine.formatting import format_date, format_money, format_number, format_percent
from engine.rulebook.labels import choice_labels, field_info
from engine.rulebook.types import Count, Flag, Money, Quantity, Ratio

# ---------------------------------------------------------------- values


def _func(alias: Any) -> Any:
    return next(getattr(m, "func", None) for m in get_args(alias)[1:] if hasattr(m, "func"))


_VALUE_KINDS = {
    _func(Money): "money",
    _func(Ratio): "ratio",
    _func(Quantity): "quantity",
    _func(Count): "count",
    _func(Flag): "flag",
}


def field_kind(model: type[BaseModel] | None, path: str) -> tuple[str, dict[str, str]]:
    """The kind of value a field holds (money, ratio…) and the French labels of its values."""
    info = field_info(model, path) if model is not None else None
    if info is None:
        return "", {}
    for item in info.metadata:
        kind = _VALUE_KINDS.get(getattr(item, "func", None))
        if kind:
            return kind, choice_labels(info)
    for item in get_args(info.annotation)[1:]:
        kind = _VALUE_KINDS.get(getattr(item, "func", None))
        if kind:
            return kind, choice_labels(info)
    return "", choice_labels(info)


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def french_value(value: object, kind: str = "", choices: Mapping[str, str] | None = None) -> str:
    """`True` → `Oui`, `"5000.00"` (money) → `5 000,00 €`, `"0.325"` (ratio) → `32,5 %`,
    a list → its items' labels separated by commas, a date → `16/09/2024`."""
    labels = choices or {}
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, list):
        return ", ".join(french_value(v, kind, labels) for v in value) or "aucun"
    if isinstance(value, str) and value in labels:
        return labels[value]
    number = _decimal(value)
    if number is not None and kind == "money":
        return format_money(number)
    if number is not None and kind == "ratio":
        return format_percent(number)
    if number is not None and (kind in ("quantity", "count") or isinstance(value, int | float)):
        return format_number(number)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return format_date(date.fromisoformat(value))
    return str(value)


def parameter_value(value: object, unit: str) -> str:
    """A parameter's value in its unit (`currency`, `ratio`, `boolean`, `age`, `count`)."""
    text = str(value)
    if unit == "boolean":
        return "Oui" if text.lower() in ("true", "1", "oui") else "Non"
    number = _decimal(text)
    if number is None:
        return text
    if unit == "currency":
        return format_money(number)
    if unit == "ratio":
        return format_percent(number)
    if unit == "age":
        return f"{format_number(number)} ans"
    return format_number(number)


def _plain(code: str) -> str:
    """Last resort for a name nobody labelled: its words, without dots or underscores."""
    return re.sub(r"[._]+", " ", code.split(".")[-1]).strip().capitalize() or code


# ---------------------------------------------------------------- formulas

FORMULA_WORDS = {
    "demande": "montant demandé",
    "montant": "montant",
    "total_cost": "coût total",
    "other_resources": "autres produits",
    "rate": "taux",
    "plafond": "plafond",
    "plafond_per_etp": "plafond par ETP",
    "cap": "plafond du financeur",
    "max_share": "part maximale",
    "forfait": "forfait",
    "etp": "ETP",
    "participations": "participations des familles",
    "shares": "parts des financeurs",
    "amount": "montant proposé",
    "request": "montant demandé",
    "prestation": "prestation",
}
_FUNCTIONS = {
    "min": "le plus petit de",
    "max": "le plus grand de",
    "round": "arrondi au centime de",
}
_PHRASES = (
    (
        "Σ shares (amount, or request when decided by hand)",
        "somme des parts des financeurs (montant proposé, ou montant demandé tant que la part "
        "est décidée en séance)",
    ),
    ("Σ groupes éligibles", "somme, sur les groupes éligibles, de"),
    ("Σ", "somme de"),
)
_TOKEN = re.compile(r"\b(?P<word>[A-Za-z_][A-Za-z_0-9]*)\b(?P<call>\()?")


def french_formula(
    formula: str,
    word: Callable[[str], str | None] = lambda token: None,
) -> str:
    """A formula in French words: `min(demande, round(rate × total_cost))` →
    `le plus petit de (montant demandé ; arrondi au centime de (taux × coût total))`.
    `word` names an identifier first (a parameter with its value); unknown French words stay."""
    if not formula:
        return ""
    text = formula
    kept: list[str] = []
    for phrase, french in _PHRASES:
        if phrase in text:
            kept.append(french)
            text = text.replace(phrase, f"\x00{len(kept) - 1}\x00")

    def replace(match: re.Match[str]) -> str:
        token, call = match["word"], match["call"]
        if call and token in _FUNCTIONS:
            return f"{_FUNCTIONS[token]} ("
        named = word(token) or FORMULA_WORDS.get(token)
        if named is None and "_" in token:
            named = _plain(token).lower()
        return (named or token) + (call or "")

    text = _TOKEN.sub(replace, text)
    text = text.replace(", ", " ; ").replace(" / ", " ÷ ").replace("<=", "≤")
    text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m[1])], text)
    return text[0].upper() + text[1:]
