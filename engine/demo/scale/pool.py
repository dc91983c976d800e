"""The pool of template applications, evaluated once by the real rule engine."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from engine.demo.scale.templates import (
    ALL_DOCUMENTS,
    BASIC_DOCUMENTS,
    BUDGETS,
    FACTORS,
    FACTS,
    RNA,
    SIRET,
    TEMPLATE_CAMPAIGN,
)
from engine.models import list_result
from engine.rulebook import FunderConfig, default_registry, evaluate
from engine.rulebook.application import parse_application
from engine.rulebook.evaluate import Evaluation


@dataclass(frozen=True)
class Variant:
    """One application body, evaluated at one submission date, stored as the services store it."""

    scheme: str
    data: dict[str, Any]
    documents: tuple[str, ...]
    submitted_on: date
    result: Evaluation
    stored: dict[str, Any]  # result.as_json()

    @property
    def status(self) -> str:
        return self.result.status

    @cached_property
    def summary(self) -> dict[str, Any]:
        """What lists read of `stored` (engine.models.list_result)."""
        return list_result(self.stored)  # type: ignore[no-any-return]


def _shift(day: str, years: int) -> str:
    value = date.fromisoformat(day)
    return value.replace(year=value.year + years).isoformat()


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _body(
    scheme: str, campaign: int, factor: Decimal, codes: dict[str, str], investment: bool
) -> dict[str, Any]:
    years = campaign - TEMPLATE_CAMPAIGN
    start, end, other, requests = BUDGETS[scheme]
    facts = json.loads(json.dumps(FACTS[scheme]))
    if scheme == "clas":
        facts["groups"] = [
            {
                "children": 10 + index,
                "intervenants": 2,
                "cost": str(_cents(Decimal("6000") * factor)),
                "levels": ["CM1", "CM2"],
            }
            for index in range(4)
        ]
    if scheme == "espace_rencontre":
        facts["approval_valid_until"] = _shift(facts["approval_valid_until"], years)
    asked = {codes[kind]: _cents(Decimal(amount) * factor) for kind, amount in requests.items()}
    resources = _cents(Decimal(other) * factor)
    return {
        "holder": {"kind": "association", "siret": SIRET, "rna": RNA, "cer_signed": True},
        "renewal": True,
        "previous_report_filed": True,
        "territory": ["38185", "38151", "38421"],
        "period": {"start": _shift(start, years), "end": _shift(end, years)},
        "budget": {
            "total_cost": str(resources + sum(asked.values(), Decimal(0))),
            "investment_costs": "150.00" if investment else "0",
            "other_resources": str(resources),
        },
        "requests": {code: str(amount) for code, amount in asked.items()},
        "facts": facts,
    }


class Pool:
    """Evaluated variants by (scheme, campaign, status), evaluated when first asked for."""

    def __init__(
        self,
        campaigns: dict[int, list[date]],
        funders: dict[str, FunderConfig],
        codes: dict[str, str],
        department: str,
        shared: Callable[[Any], Any],
    ) -> None:
        self.campaigns = campaigns
        self.funders = funders
        self.codes = codes
        self.department = department
        self.shared = shared
        self.built: set[tuple[str, int]] = set()
        self.variants: dict[tuple[str, int, str], list[Variant]] = {}

    def _build(self, scheme: str, campaign: int) -> None:
        self.built.add((scheme, campaign))
        registry = default_registry()
        facts_model = registry.schemes[scheme].facts
        days = self.campaigns[campaign]
        kinds: list[tuple[Decimal, bool, tuple[str, ...], date]] = [
            (factor, False, ALL_DOCUMENTS, day) for factor in FACTORS for day in days
        ]
        kinds.append((Decimal("1"), True, ALL_DOCUMENTS, days[0]))
        kinds.append((Decimal("0.8"), False, BASIC_DOCUMENTS, days[-1]))
        for factor, investment, documents, day in kinds:
            raw = _body(scheme, campaign, factor, self.codes, investment)
            parsed, facts = parse_application({**raw, "documents": []}, facts_model)
            data = parsed.model_dump(mode="json", exclude={"documents"})
            data["facts"] = facts.model_dump(mode="json")
            result = evaluate(
                registry,
                scheme,
                {**data, "documents": list(documents)},
                day,
                self.department,
                self.funders,
            )
            stored = result.as_json()
            variant = Variant(
                scheme, self.shared(data), documents, day, result, self.shared(stored)
            )
            self.variants.setdefault((scheme, campaign, result.status), []).append(variant)

    def pick(self, rng: random.Random, scheme: str, campaign: int, status: str) -> Variant:
        if (scheme, campaign) not in self.built:
            self._build(scheme, campaign)
        choices = self.variants.get((scheme, campaign, status))
        if not choices:
            raise RuntimeError(
                f"no {status} {scheme} application in the scale templates for {campaign}: "
                "they are written for département 38 (Isère)"
            )
        return rng.choice(choices)
