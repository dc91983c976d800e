"""Lists and forms of the pages: pagination of long lists, text fields of a posted form and
the errors of a service keyed by the form field they belong to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from engine.rulebook import InvalidInput

PAGE_SIZE = 20


@dataclass(frozen=True)
class Pagination:
    page: int
    total: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def slice(self, items: Sequence[Any]) -> list[Any]:
        return list(items[self.offset : self.offset + self.size])


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def page_link(request: Request, number: int) -> str:
    query = dict(request.query_params)
    query.pop("ok", None)
    query["page"] = str(number)
    return f"{request.url.path}?{urlencode(query)}"


def form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def field_errors(exc: InvalidInput, prefix: str = "") -> dict[str, str]:
    """Errors of a service keyed by the form field they belong to, in French."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        name = error.field.removeprefix(prefix) if prefix else error.field
        errors.setdefault(name, error.message)
    return errors
