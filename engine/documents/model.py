"""What each document says: frozen dataclasses filled in by the services (no database here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

Outcome = Literal["granted", "refused", "deferred"]

# Display labels are separate from ids (DESIGN §1): a decision is feminine in French.
OUTCOME_LABELS: dict[str, str] = {
    "granted": "Accordée",
    "refused": "Refusée",
    "deferred": "Ajournée",
}


@dataclass(frozen=True)
class FunderLine:
    """One funder's share of an application and what the funder decided.

    `reasons` are (rule id, French message) pairs explaining a refusal; `proposed` is the
    amount proposed before the session (printed in the minutes only); `funder_kind` the French
    name of the funder's kind, printed under its name.
    """

    funder_code: str
    funder_name: str
    outcome: Outcome
    requested: Decimal
    amount: Decimal | None
    conditions: str | None
    advance: Decimal | None
    balance: Decimal | None
    convention_required: bool
    reasons: tuple[tuple[str, str], ...] = ()
    proposed: Decimal | None = None
    # The French name of the funder's kind (`FunderModule.label`: « Commune », …).
    funder_kind: str = ""


@dataclass(frozen=True)
class DecisionLetter:
    """The consolidated letter to the project holder: every funder's decision in one place."""

    reference: str
    issued_on: date
    department_name: str
    holder_name: str
    holder_address: str | None
    application_title: str
    scheme_label: str
    session_title: str
    session_date: date
    lines: tuple[FunderLine, ...]
    common_failures: tuple[tuple[str, str], ...]
    chair_name: str
    # The signatory's job title (« Présidente du comité des financeurs »), printed after the name.
    chair_title: str = ""


@dataclass(frozen=True)
class FunderLetter:
    """One funder's decision, sent to the holder on that funder's letterhead."""

    reference: str
    issued_on: date
    department_name: str
    holder_name: str
    holder_address: str | None
    application_title: str
    scheme_label: str
    session_title: str
    session_date: date
    funder_name: str
    line: FunderLine
    chair_name: str
    chair_title: str = ""


@dataclass(frozen=True)
class Convocation:
    """The invitation of one member to a session; agenda rows are (reference, title, requested)."""

    session_title: str
    starts_at: datetime
    location: str
    recipient_name: str
    agenda: tuple[tuple[str, str, Decimal], ...]
    issued_on: date
    chair_name: str
    chair_title: str = ""


@dataclass(frozen=True)
class MinutesItem:
    """One application examined in session; `flags` are already French sentences."""

    reference: str
    title: str
    holder_name: str
    status_label: str
    total_cost: Decimal
    flags: tuple[str, ...]
    lines: tuple[FunderLine, ...]
    # Who did not take part in the decision (conflict of interest), and why: French sentences.
    recusals: tuple[str, ...] = ()
    # The members' opinions given before the session, as French sentences.
    opinions: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnvelopeLine:
    """A funder's envelope for the call and how much of it the session used."""

    funder_name: str
    envelope: Decimal
    granted: Decimal
    proposed: Decimal
    exceeded: Decimal | None


@dataclass(frozen=True)
class Minutes:
    """The procès-verbal of a session."""

    session_title: str
    starts_at: datetime
    location: str
    chair_name: str
    attendance: tuple[str, ...]
    items: tuple[MinutesItem, ...]
    envelopes: tuple[EnvelopeLine, ...]
    issued_on: date
    chair_title: str = ""
    # The quorum as the attendance gives it, one French sentence (empty: none recorded).
    quorum: str = ""
