"""The rule trace told in words, for the funders who judge a file.

The stored trace (`Evaluation.trace`) speaks the engine's language: field paths
(`facts.groups.0.cost`), parameter names (`caf.clas.plafond`), formulas over identifiers. This
module turns it into what a person reads: each rule with what it checks (its description), the
facts it read under their French labels with values written the French way, each parameter by its
description, and each formula in French words (the words themselves: engine.rulebook.wording).
Nothing here reads a database: the pages pass the trace, the scheme and the funders' names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel

from engine.formatting import format_date
from engine.rulebook.application import ApplicationFacts
from engine.rulebook.communes import commune_name
from engine.rulebook.labels import application_label
from engine.rulebook.module import SchemeModule
from engine.rulebook.registry import Registry
from engine.rulebook.wording import (
    FORMULA_WORDS,
    _decimal,
    _plain,
    field_kind,
    french_formula,
    french_value,
    parameter_value,
)

__all__ = [
    "FORMULA_WORDS",
    "AmountText",
    "Explanation",
    "Line",
    "RuleText",
    "computed_wording",
    "explain",
    "field_kind",
    "french_formula",
    "french_value",
    "parameter_value",
    "rule_title",
]


@dataclass(frozen=True)
class Line:
    """One thing read by a rule: its French label and its value written the French way."""

    label: str
    value: str


@dataclass(frozen=True)
class RuleText:
    """One eligibility rule: what it checks, whether the file meets it, and why."""

    title: str
    passed: bool
    message: str
    facts: list[Line]
    parameters: list[Line]
    reference: str


@dataclass(frozen=True)
class AmountText:
    """How one funder's share was computed by its rules."""

    funder: str
    title: str
    eligible: bool
    requested: str
    computed: str | None
    message: str
    formula: str
    facts: list[Line]
    parameters: list[Line]
    reference: str = ""


@dataclass(frozen=True)
class Explanation:
    """A whole file: failed rules first, then the passed ones, the amounts and the plan."""

    failed: list[RuleText] = field(default_factory=list)
    passed: list[RuleText] = field(default_factory=list)
    amounts: list[AmountText] = field(default_factory=list)
    plan: AmountText | None = None

    @property
    def empty(self) -> bool:
        return not (self.failed or self.passed or self.amounts or self.plan)


# ---------------------------------------------------------------- facts and parameters

_ITEMS_READ = re.compile(r"^(?P<name>\w+) eligible(?P<count> \(count\))?$")


class _Reader:
    """Labels and values of what the rules of one scheme read."""

    def __init__(
        self, registry: Registry, scheme: SchemeModule | None, funder_names: Mapping[str, str]
    ) -> None:
        self.registry = registry
        self.scheme = scheme
        self.facts_model = scheme.facts if scheme is not None else None
        self.funder_names = funder_names
        self.documents = scheme.document_labels() if scheme is not None else {}

    def label(self, path: str) -> str:
        items = _ITEMS_READ.match(path)
        if items:
            title = application_label(self.facts_model, f"facts.{items['name']}")
            title = title if not title.startswith("facts.") else "Éléments"
            return f"{title} : nombre retenu" if items["count"] else f"{title} retenus (n°)"
        if path.startswith("requests."):
            code = path.split(".", 1)[1]
            return f"Montant demandé à {self.funder_names.get(code, 'ce financeur')}"
        label = application_label(self.facts_model, path)
        return _plain(label) if label == path else label

    def value(self, path: str, value: object) -> str:
        if path == "territory" and isinstance(value, list):
            return ", ".join(f"{commune_name(str(v)) or v} ({v})" for v in value) or "aucune"
        if path == "documents" and isinstance(value, list):
            return ", ".join(self.documents.get(str(v), str(v)) for v in value) or "aucune"
        if path.startswith("requests."):
            return french_value(value, "money")
        model: type[BaseModel] | None
        if path.startswith("facts."):
            model, inner = self.facts_model, path.removeprefix("facts.")
        else:
            model, inner = ApplicationFacts, path
        kind, choices = field_kind(model, inner.split(" (", 1)[0])
        return french_value(value, kind, choices)

    def facts(self, entry: Mapping[str, Any]) -> list[Line]:
        read = entry.get("facts") or {}
        return [Line(self.label(path), self.value(path, value)) for path, value in read.items()]

    def parameters(self, entry: Mapping[str, Any]) -> list[Line]:
        lines = []
        for item in entry.get("parameters") or []:
            name = str(item.get("name", ""))
            known = self.registry.parameters.get(name)
            label = known.description.rstrip(". ") if known is not None else _plain(name)
            unit = known.unit if known is not None else ""
            value = parameter_value(item.get("value"), unit)
            since = item.get("since")
            if since:
                value += f" (depuis le {format_date(date.fromisoformat(str(since)))})"
            if item.get("source") not in (None, "built-in"):
                value += ", valeur fixée localement"
            lines.append(Line(label, value))
        return lines

    def parameter_word(self, token: str, entry: Mapping[str, Any]) -> str | None:
        """A formula's identifier (`rate`) named after the parameter it stands for, with its
        value (`taux (32,5 %)`), when the rule read such a parameter."""
        for item in entry.get("parameters") or []:
            name = str(item.get("name", ""))
            if name.rsplit(".", 1)[-1].startswith(token):
                known = self.registry.parameters.get(name)
                unit = known.unit if known is not None else ""
                word = FORMULA_WORDS.get(token, _plain(token))
                return f"{word} ({parameter_value(item.get('value'), unit)})"
        fact = self.facts_model.model_fields.get(token) if self.facts_model else None
        if fact is not None and fact.title and token not in FORMULA_WORDS:
            return fact.title[0].lower() + fact.title[1:]
        return None


# ---------------------------------------------------------------- the whole trace


def rule_title(scheme: SchemeModule | None, rule_id: str) -> str:
    base, _, item = rule_id.partition("@")
    rule = next((r for r in scheme.rules if r.id == base), None) if scheme else None
    title = rule.description if rule is not None else "Règle du dispositif"
    return f"{title} (n° {item})" if item else title


def _funder_rule(registry: Registry, rule_id: str | None) -> tuple[str, str]:
    for module in registry.funders.values():
        for rule in module.rules:
            if rule.id == rule_id:
                return rule.description, rule.reference
    return "", ""


def computed_wording(message: str) -> str:
    """A funder rule's sentence with its amount said as computed by the rules, not proposed
    (the funder may propose another amount by hand)."""
    without = re.sub(r"\s*;\s*proposé\s[^;]*?\.?$", ".", message)
    return re.sub(r"\bproposé\b", "retenu par les règles", without)


def explain(
    trace: list[dict[str, Any]] | None,
    registry: Registry,
    scheme_code: str,
    funder_names: Mapping[str, str],
) -> Explanation:
    """The trace of one file, in words (failed rules first)."""
    scheme = registry.schemes.get(scheme_code)
    reader = _Reader(registry, scheme, funder_names)
    failed: list[RuleText] = []
    passed: list[RuleText] = []
    amounts: list[AmountText] = []
    plan: AmountText | None = None
    for entry in trace or []:
        subject = entry.get("subject")
        if subject == "eligibility":
            text = RuleText(
                title=rule_title(scheme, str(entry.get("rule", ""))),
                passed=bool(entry.get("passed")),
                message=str(entry.get("message") or ""),
                facts=reader.facts(entry),
                parameters=reader.parameters(entry),
                reference=str(entry.get("reference") or ""),
            )
            (passed if text.passed else failed).append(text)
        elif subject == "share":
            funder = str(entry.get("funder", ""))
            title, reference = _funder_rule(registry, entry.get("rule"))
            value = entry.get("value")
            amounts.append(
                AmountText(
                    funder=funder,
                    title=title or "Part du financeur",
                    eligible=value is None or _decimal(value) != 0 or not entry.get("rule"),
                    requested=french_value(entry.get("requested"), "money"),
                    computed=french_value(value, "money") if value is not None else None,
                    message=computed_wording(str(entry.get("message") or "")),
                    formula=french_formula(
                        str(entry.get("formula") or ""),
                        lambda token, e=entry: reader.parameter_word(token, e),  # type: ignore[misc]
                    ),
                    facts=reader.facts(entry),
                    parameters=reader.parameters(entry),
                    reference=reference,
                )
            )
        elif subject == "plan":
            plan = AmountText(
                funder="",
                title="Plan de financement",
                eligible=True,
                requested="",
                computed=None,
                message="Besoin restant = coût total − autres produits − parts des financeurs.",
                formula=french_formula(str(entry.get("formula") or "")),
                facts=reader.facts(entry),
                parameters=reader.parameters(entry),
            )
    return Explanation(failed, passed, amounts, plan)
