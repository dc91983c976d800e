"""What a rule sees while it runs: facts and parameters, every read recorded for the trace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from engine.rulebook.module import DocumentKind, FunderConfig
from engine.rulebook.parameters import Parameter

# A path's parts, split once: rules read the same few paths in every evaluation. The paths are
# written in the rule modules (an item's index at most), so the table stays small; the bound
# only guards against a module that would build paths from the facts.
_PARTS: dict[str, tuple[str, ...]] = {}
_PARTS_LIMIT = 10_000
_CONTAINERS = (list, dict)  # not logged as read: the rules log what they make of them


def _split(path: str) -> tuple[str, ...]:
    if len(_PARTS) >= _PARTS_LIMIT:
        _PARTS.clear()
    parts = _PARTS[path] = tuple(path.split("."))
    return parts


def _lookup(data: Any, path: str) -> Any:
    value = data
    for part in _PARTS.get(path) or _split(path):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


class Reads:
    """Facts and parameters read by one rule, in the order they were read."""

    __slots__ = ("facts", "parameters")

    def __init__(self) -> None:
        self.facts: dict[str, Any] = {}
        self.parameters: dict[str, dict[str, str]] = {}


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
        value = self.application  # _lookup's walk, without a call: rules read many facts
        for part in _PARTS.get(path) or _split(path):
            value = value[int(part)] if isinstance(value, list) else value[part]
        if not isinstance(value, _CONTAINERS):
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
        dated = self._parameters[name].at(self.reference_date if on is None else on)
        # The trace's account of the value (the value, since when, and `built-in` or the
        # deployment's override file it comes from), written once per dated value: the trace
        # copies it (evaluate._read_parameters), nothing changes it.
        self.reads.parameters[name] = dated.shown
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
        # What Context.__init__ would set from the base's own values, without copying them.
        self.application = base.application
        self.documents = base.documents
        self.submission_date = base.submission_date
        self.reference_date = base.reference_date
        self.period_end = base.period_end
        self.department = base.department
        self._parameters = base._parameters
        self.passing_items = base.passing_items
        self.reads = Reads()
        self.funder = funder
        self.scheme = scheme
        self.requested = requested
