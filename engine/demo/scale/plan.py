"""What to generate (`ScalePlan`) and what was generated (`ScaleSummary`)."""

from __future__ import annotations

from dataclasses import dataclass, field

SCALE_PASSWORD = "scale-password-2026"


@dataclass(frozen=True)
class ScalePlan:
    """How much to generate. `applications` excludes the benchmark extras below it."""

    applications: int
    events_per_application: int = 20
    agenda_size: int = 80
    organisations: int | None = None  # default: one holder for ten applications
    drafts: int = 0  # drafts with all their documents, in the open calls, ready to submit
    draft_holders: int = 20  # …owned by this many holders (benchmarks log each one in)
    ready_sessions: int = 0  # open sessions, every share decided, ready to close
    ready_size: int = 500  # files on each of them (Reaap, four funders each)
    seed: int = 20261127
    batch: int = 20000  # rows buffered before a write (executemany or COPY)


@dataclass
class ScaleSummary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    open_calls: dict[str, int] = field(default_factory=dict)
    drafts: list[int] = field(default_factory=list)
    draft_holders: list[str] = field(default_factory=list)
    ready_sessions: list[int] = field(default_factory=list)
    planned_sessions: list[int] = field(default_factory=list)
    closed_sessions: list[int] = field(default_factory=list)
    funder_users: dict[str, str] = field(default_factory=dict)
    chair: str = ""
    password: str = SCALE_PASSWORD
