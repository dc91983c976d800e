"""Errors of the rule engine. Each names what is wrong so that callers can show it as is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class RuleError(Exception):
    """Base class of every error the rule engine raises on purpose."""


@dataclass(frozen=True)
class FieldError:
    """One invalid input field: its dotted path and why it is refused."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidInput(RuleError):
    """The application (or the request around it) is malformed; lists every offending field."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


class UnknownScheme(InvalidInput):
    def __init__(self, code: str, field: str = "scheme") -> None:
        super().__init__([FieldError(field, f"unknown scheme {code!r}")])


class UnknownFunder(InvalidInput):
    def __init__(self, code: str, field: str) -> None:
        super().__init__([FieldError(field, f"unknown funder or funder kind {code!r}")])


class ParameterGap(RuleError):
    """A parameter was looked up before its first start date: refusing to guess."""

    def __init__(self, name: str, on: date, first: date) -> None:
        self.name = name
        self.on = on
        self.first = first
        super().__init__(
            f"parameter {name} has no value on {on.isoformat()} "
            f"(first value starts {first.isoformat()})"
        )


class ParameterFileError(RuleError):
    """A parameter YAML file does not follow the format (unknown keys, unsorted dates…)."""


class RegistryError(RuleError):
    """The set of installed rule modules is inconsistent (duplicate codes, missing parameters…)."""
