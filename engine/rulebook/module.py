"""The rule API: what a scheme or funder module declares, and what its rules return."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, cast

from pydantic import BaseModel

if TYPE_CHECKING:
    from engine.rulebook.context import Context, ShareContext

Calendar = Literal["civil", "school"]
# What a failing eligibility rule makes of the application: refused (ineligible), or set aside
# until the holder completes it (incomplete) when every failing rule says so.
OnFailure = Literal["ineligible", "incomplete"]
_UNSEEN = object()


class Check(NamedTuple):
    """The outcome of one eligibility rule, with a one-sentence French message. A named tuple:
    immutable, and built a dozen times per evaluation at a third of a frozen dataclass's cost."""

    passed: bool
    message: str


def check(condition: bool, ok: str, failed: str) -> Check:
    """Build a Check from a condition and the message for each outcome."""
    return Check(True, ok) if condition else Check(False, failed)


@dataclass(frozen=True)
class Rule:
    """An eligibility rule. With `per`, it runs once per item of that fact list (ids `C3@2`).

    `on_failure="incomplete"` says that failing it asks the holder to complete the file (missing
    documents) instead of refusing it: an application whose failing rules all say so is
    *incomplete*, not *ineligible*.
    """

    id: str
    description: str
    reference: str
    function: Callable[[Context], Check] | Callable[[Context, int], Check]
    per: str | None = None
    on_failure: OnFailure = "ineligible"


@dataclass(frozen=True)
class DocumentKind:
    """A kind of supporting document a holder uploads, with its French label.

    `required_of` lists the holder kinds (`association`, …) that must join it; None: every
    holder; empty: nobody (an optional document). `reusable`: a document about the holder
    rather than the action (statuts, RIB…), kept in its profile and joined to each new
    application.
    """

    code: str
    label: str
    required_of: frozenset[str] | None = None
    reusable: bool = False

    def required_from(self, holder_kind: str) -> bool:
        return self.required_of is None or holder_kind in self.required_of


class ShareOutcome(NamedTuple):
    """A funder rule's proposal. `amount` None means the funder decides by hand. A named tuple,
    as `Check`."""

    eligible: bool
    amount: Decimal | None
    message: str
    formula: str = ""


@dataclass(frozen=True)
class FunderRule:
    """A funder's allocation rule for some schemes (all schemes when `schemes` is empty)."""

    id: str
    description: str
    reference: str
    function: Callable[[ShareContext], ShareOutcome]
    schemes: frozenset[str] = frozenset()

    def applies_to(self, scheme: str) -> bool:
        return not self.schemes or scheme in self.schemes


@dataclass(frozen=True)
class SchemeModule:
    """A scheme: its French label, its calendar, its facts, its documents and its eligibility
    rules.

    Each field of `facts` carries its French label as its pydantic `title`, and a field with a
    fixed set of values (a `Literal`) the French label of each value as
    `json_schema_extra={"choices": {value: label}}`: the pages and the trace read them there.
    `documents` are the kinds of supporting documents an application of the scheme may join.
    """

    code: str
    label: str
    calendar: Calendar
    facts: type[BaseModel]
    rules: Sequence[Rule]
    parameters: Sequence[str] = ()
    parameter_root: Path | None = None
    documents: Sequence[DocumentKind] = ()
    kind: Literal["scheme"] = "scheme"

    @cached_property
    def rule_layout(self) -> tuple[tuple[Rule, ...], bool]:
        """The rules run once per item (`per`), and whether every rule's id is distinct: what
        evaluate needs to know to order the outcomes, worked out once."""
        ids = [rule.id for rule in self.rules]
        return tuple(rule for rule in self.rules if rule.per), len(set(ids)) == len(ids)

    def document_labels(self) -> dict[str, str]:
        """Code → French label of every document kind of the scheme, in declaration order."""
        return {document.code: document.label for document in self.documents}

    def reference_date(self, period_start: date) -> date:
        """Start of the funding period containing `period_start` (RULES.md §1)."""
        if self.calendar == "school":
            year = period_start.year if period_start.month >= 9 else period_start.year - 1
            return date(year, 9, 1)
        return date(period_start.year, 1, 1)

    def funding_period_end(self, reference: date) -> date:
        if self.calendar == "school":
            return date(reference.year + 1, 8, 31)
        return date(reference.year, 12, 31)


@dataclass(frozen=True)
class FunderModule:
    """A kind of funder (caf, etat, …) and its allocation rules, one or none per scheme.

    `label` is the kind's French name, shown to people (the administrator's funder form, the
    decision letters)."""

    code: str
    label: str
    rules: Sequence[FunderRule]
    parameters: Sequence[str] = ()
    parameter_root: Path | None = None
    needs_insee: bool = False
    kind: Literal["funder"] = "funder"

    def rule_for(self, scheme: str) -> FunderRule | None:
        """The first of `rules` that applies to `scheme` (asked once per share evaluated)."""
        found = self._rule_for.get(scheme, _UNSEEN)
        if found is _UNSEEN:
            found = next((rule for rule in self.rules if rule.applies_to(scheme)), None)
            self._rule_for[scheme] = found
        return cast("FunderRule | None", found)

    @cached_property
    def _rule_for(self) -> dict[str, object]:
        return {}


@dataclass
class FunderConfig:
    """One funder as configured in a deployment: its code, its rule kind and its settings."""

    code: str
    kind: str
    name: str | None = None
    insee: str | None = None
    advance_rate: Decimal | None = None
    extra: dict[str, str] = field(default_factory=dict)
