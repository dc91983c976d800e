"""The filters of an export: those of the applications list (call, state, inbox view, search),
checked so that a wrong one is refused by name rather than giving an empty file."""

from __future__ import annotations

from dataclasses import dataclass

from engine.rulebook import FieldError, InvalidInput
from engine.services.queries import INBOX_VIEWS
from workflows.application import APPLICATION

SEARCH_MAX = 200


@dataclass(frozen=True)
class ExportFilters:
    call_id: int | None = None
    state: str | None = None
    view: str | None = None  # one of INBOX_VIEWS but "tous" (no condition)
    search: str | None = None


def parse_filters(
    call_id: int | None = None,
    state: str | None = None,
    view: str | None = None,
    search: str | None = None,
) -> ExportFilters:
    """The filters as the list applies them; an unknown state or view is a 422 naming it."""
    errors: list[FieldError] = []
    state = state or None
    if state is not None and state not in APPLICATION.state_ids():
        errors.append(FieldError("state", "not_a_choice"))
    view = view or None
    if view is not None and view not in INBOX_VIEWS:
        errors.append(FieldError("view", "not_a_choice"))
    text = (search or "").strip()
    if len(text) > SEARCH_MAX:
        errors.append(FieldError("search", "too_long", max_length=SEARCH_MAX))
    if errors:
        raise InvalidInput(errors)
    return ExportFilters(call_id, state, None if view == "tous" else view, text or None)
