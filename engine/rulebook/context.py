"""What a rule sees while it runs: facts and parameters, every read recorded for the trace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from engine.rulebook.module import DocumentKind, FunderConfig
from engine.rulebook.parameters import Parameter


def _lookup(data: Any, path: str) -> Any:
    value = data
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


@dataclass
class Reads:
    """Facts and parameters read by one rule, in the order they were read."""

    facts: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, dict[str, str]] = field(default_factory=dict)


class Context:
    """Read access to an application's facts and the parameters in force, with a read log.

    Rules must read through this object: the trace shows exactly what each result depends on.
    """

    def __init__(
        self,
        application: dict[str, Any],
        submission_date: date,
        reference_date: date,
        department: str,
        parameters: dict[str, Parameter],
        period_end: date,
        passing_items: dict[str, list[int]] | None = None,
        documents: Sequence[DocumentKind] = (),
    ) -> None:
        self.application = application
        # The document kinds of the scheme (SchemeModule.documents), with their French labels.
        self.documents: tuple[DocumentKind, ...] = tuple(documents)
        self.submission_date = submission_date
        self.reference_date = reference_date
        # Last day of the funding period that starts on the reference date.
        self.period_end = period_end
        self.department = department
        self._parameters = parameters
        self.passing_items: dict[str, list[int]] = (
            passing_items if passing_items is not None else {}
        )
        self.reads = Reads()

    def start(self) -> Reads:
        """Begin a fresh read log (one per rule)."""
        self.reads = Reads()
        return self.reads

    def fact(self, path: str) -> Any:
        value = _lookup(self.application, path)
        if not isinstance(value, list | dict):
            self.reads.facts[path] = value
        return value

    def money(self, path: str) -> Decimal:
        value = self.fact(path)
        assert isinstance(value, Decimal)
        return value

    def flag(self, path: str) -> bool:
        return bool(self.fact(path))

    def integer(self, path: str) -> int:
        value = self.fact(path)
        assert isinstance(value, int)
        return value

    def text(self, path: str) -> str:
        return str(self.fact(path))

    def items(self, path: str) -> list[Any]:
        value = _lookup(self.application, path)
        assert isinstance(value, list)
        return value

    def _dated(self, name: str, on: date | None) -> Any:
        when = self.reference_date if on is None else on
        dated = self._parameters[name].at(when)
        self.reads.parameters[name] = {
            "value": _show(dated.value),
            "since": dated.since.isoformat(),
            # `built-in`, or the deployment's override file the value comes from.
            "source": dated.source,
        }
        return dated.value

    def param(self, name: str, on: date | None = None) -> Decimal:
        """A numeric parameter at the reference date (or at `on`, e.g. the submission date)."""
        value = self._dated(name, on)
        assert isinstance(value, Decimal)
        return value

    def switch(self, name: str, on: date | None = None) -> bool:
        """A boolean parameter: a rule that starts or stops applying on a date."""
        value = self._dated(name, on)
        assert isinstance(value, bool)
        return value


class ShareContext(Context):
    """A Context for one funder's share: adds the funder, the request and eligible items."""

    def __init__(
        self, base: Context, funder: FunderConfig, scheme: str, requested: Decimal
    ) -> None:
        super().__init__(
            base.application,
            base.submission_date,
            base.reference_date,
            base.department,
            base._parameters,
            base.period_end,
            base.passing_items,
            base.documents,
        )
        self.funder = funder
        self.scheme = scheme
        self.requested = requested


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
