"""The one error shape of the API: `{"detail", "code"}`, and the fields at fault on a 422."""

from __future__ import annotations

from api.models.common import Out


class FieldErrorOut(Out):
    field: str
    message: str


class ErrorOut(Out):
    detail: str
    code: str
    errors: list[FieldErrorOut] | None = None
