"""Errors of the rule engine. Each names what is wrong so that callers can show it as is."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.messages import Message, render


class RuleError(Exception):
    """Base class of every error the rule engine raises on purpose."""


class FieldError:
    """One invalid input field: its dotted path, the code of why it is refused and the code's
    parameters (the French sentence is in engine/messages.py)."""

    __slots__ = ("code", "field", "params")

    def __init__(self, field: str, code: str, /, **params: Any) -> None:
        self.field = field
        self.code = code
        self.params = params

    @classmethod
    def of(cls, field: str, message: Message) -> FieldError:
        return cls(field, message.code, **message.params)

    @property
    def message(self) -> str:
        """The French sentence."""
        return render(self.code, self.params)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldError):
            return NotImplemented
        return (self.field, self.code, self.params) == (other.field, other.code, other.params)

    def __hash__(self) -> int:
        return hash((self.field, self.code))

    def __repr__(self) -> str:
        return f"FieldError({self.field!r}, {self.code!r}, **{self.params!r})"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidInput(RuleError):
    """The application (or the request around it) is malformed; lists every offending field."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


class UnknownScheme(InvalidInput):
    def __init__(self, code: str, field: str = "scheme") -> None:
        super().__init__([FieldError(field, "unknown_scheme", scheme=code)])


class UnknownFunder(InvalidInput):
    def __init__(self, code: str, field: str) -> None:
        super().__init__([FieldError(field, "unknown_funder", code=code)])


class ParameterGap(RuleError):
    """A parameter was looked up before its first start date: refusing to guess."""

    code = "parameter_gap"

    def __init__(self, name: str, on: date, first: date) -> None:
        self.name = name
        self.on = on
        self.first = first
        super().__init__(
            f"parameter {name} has no value on {on.isoformat()} "
            f"(first value starts {first.isoformat()})"
        )

    @property
    def params(self) -> dict[str, str]:
        return {"name": self.name, "on": f"{self.on:%d/%m/%Y}", "first": f"{self.first:%d/%m/%Y}"}


class ParameterFileError(RuleError):
    """A parameter YAML file does not follow the format (unknown keys, unsorted dates…)."""


class RegistryError(RuleError):
    """The set of installed rule modules is inconsistent (duplicate codes, missing parameters…)."""
