"""The results of evaluating one application: each rule's, each funder's share, the whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from engine.rulebook.money import money_str

Status = Literal["eligible", "ineligible", "incomplete"]


# Slots: a dozen of each per evaluation, built faster and smaller.
@dataclass(slots=True)
class RuleResult:
    rule: str
    passed: bool
    message: str
    description: str

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "passed": self.passed,
            "message": self.message,
            "description": self.description,
        }


@dataclass(slots=True)
class ShareResult:
    funder: str
    kind: str
    requested: Decimal
    eligible: bool
    amount: Decimal | None
    failed: list[str]
    message: str
    rule: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "funder": self.funder,
            "kind": self.kind,
            "requested": money_str(self.requested),
            "eligible": self.eligible,
            "amount": money_str(self.amount),
            "failed": self.failed,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class Evaluation:
    scheme: str
    submission_date: date
    reference_date: date
    status: Status
    failed: list[str]
    results: list[RuleResult]
    shares: dict[str, ShareResult]
    flags: dict[str, Any]
    trace: list[dict[str, Any]]
    override: bool = False
    parameters: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "date": self.submission_date.isoformat(),
            "reference_date": self.reference_date.isoformat(),
            "status": self.status,
            "failed": self.failed,
            "override": self.override,
            "results": [r.as_json() for r in self.results],
            "shares": {code: share.as_json() for code, share in self.shares.items()},
            "flags": self.flags,
            "trace": self.trace,
        }
