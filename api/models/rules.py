"""The public simulator: the schemes, and what the rules say of an application before filing."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from api.models.common import Body, Day, MoneyOut, Out
from api.models.plans import PlanFlags
from engine.rulebook.text import Text
from engine.rulebook.types import Day as DayIn
from engine.rulebook.types import Ratio


class RuleDescriptionOut(Out):
    id: str
    description: str


class SchemeOut(Out):
    code: str
    label: str
    calendar: str
    rules: list[RuleDescriptionOut]


class FunderSettings(Body):
    kind: Text | None = Field(default=None, max_length=50)
    insee: Text | None = Field(default=None, max_length=5)
    name: Text | None = Field(default=None, max_length=200)
    advance_rate: Ratio | None = None


class EvaluateIn(Body):
    scheme: Text = Field(max_length=50)
    date: DayIn
    # ASCII digits: the schema's `\d` would also take other scripts' digits.
    department: Text | None = Field(default=None, pattern=r"^([0-9]{2}|2A|2B|97[0-9])$")
    application: dict[str, Any]
    funders: dict[Text, FunderSettings] | None = None


class RuleResultOut(Out):
    rule: str
    passed: bool
    message: str
    description: str


class SimulatedShareOut(Out):
    """What a funder's rules propose: an amount, or None when its share is decided by hand."""

    funder: str
    kind: str
    requested: MoneyOut
    eligible: bool
    amount: MoneyOut | None
    failed: list[str]
    rule: str | None
    message: str


class EvaluationOut(Out):
    """The full result of the rules, with the trace of what each read and concluded."""

    scheme: str
    date: Day
    reference_date: Day
    status: Literal["eligible", "ineligible", "incomplete"]
    failed: list[str]
    override: bool
    results: list[RuleResultOut]
    shares: dict[str, SimulatedShareOut]
    flags: PlanFlags
    trace: list[dict[str, Any]]
