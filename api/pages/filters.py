"""The Jinja filters and globals of the pages: French amounts, dates, percentages and quantities
(through engine/formatting.py, Babel's fr_FR), state labels and badge colours."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import jinja2
from markupsafe import Markup, escape

from engine.formatting import format_date, format_money, format_number, format_percent
from workflows import ALL as WORKFLOWS


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any) -> str:
    """`"1234.5"` (JSON money) or a Decimal → `1 234,50 €`; `—` when absent."""
    return format_money(_decimal(value))


def day(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        parsed: date | datetime = (
            datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        )
        return format_date(parsed)
    return format_date(value)


def percent(value: Any) -> str:
    number = _decimal(value)
    return "—" if number is None else format_percent(number)


def quantity(value: Any) -> str:
    """`"1.5"` → `1,5` (a number of ETP, of groups…); `—` when absent."""
    number = _decimal(value)
    return "—" if number is None else format_number(number)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def fact(value: Any) -> str:
    """A value a rule read, in French: `oui`/`non`, `1,5`, lists joined, `—` when absent."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | Decimal):
        return format_number(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return format_number(Decimal(value))
    if isinstance(value, list | tuple):
        return ", ".join(fact(item) for item in value) or "—"
    return str(value)


def ref(value: Any, default: str = "—") -> Markup:
    """A file's reference kept on one line (`.cf-ref`: no wrap at its hyphens); `default`
    when there is none yet."""
    if not value:
        return Markup(escape(default))
    return Markup('<span class="cf-ref">{}</span>').format(value)


def state_label(state: str | None, workflow: str = "application") -> str:
    """The French label of a state, as the workflow data gives it."""
    if not state:
        return "—"
    return WORKFLOWS[workflow].state(state).label


def transition_label(workflow: str, trigger: str) -> str:
    for transition in WORKFLOWS[workflow].transitions:
        if transition.trigger == trigger:
            return transition.label
    raise KeyError(trigger)


# Colour of a state's badge (presentation only; the words come from the workflows).
_BADGES = {
    "application": {
        "draft": "new",
        "eligible": "success",
        "ineligible": "error",
        "incomplete": "warning",
        "scheduled": "info",
        "decided": "info",
        "notified": "success",
        "settled": "success",
        "closed": "success",
    },
    "share": {
        "proposed": "info",
        "granted": "success",
        "refused": "error",
        "deferred": "warning",
    },
    "call": {"draft": "new", "open": "success"},
    "session": {"planned": "new", "convened": "info", "open": "success", "cancelled": "error"},
    "report": {
        "due": "new",
        "submitted": "info",
        "revision_requested": "warning",
        "approved": "success",
    },
    "payment": {"scheduled": "info", "ordered": "new", "paid": "success", "cancelled": "error"},
    "agreement": {
        "awaiting_signature": "warning",
        "signed_by_holder": "info",
        "in_force": "success",
    },
}


def badge_class(state: str | None, workflow: str = "application") -> str:
    severity = _BADGES.get(workflow, {}).get(state or "")
    return f"fr-badge--{severity}" if severity else ""


def iso_input(value: Any) -> str:
    """A datetime for an `<input type="datetime-local">` or a date for `type="date"`."""
    if not value:
        return ""
    return str(value)[:16]


def install(env: jinja2.Environment) -> None:
    """Make the filters and globals known to the pages' templates."""
    env.filters.update(
        money=money,
        day=day,
        percent=percent,
        quantity=quantity,
        ref=ref,
        fact=fact,
        state_label=state_label,
        badge_class=badge_class,
        iso_input=iso_input,
    )
    env.globals.update(transition_label=transition_label, workflows=WORKFLOWS)
