"""A session's attendance: the chair's record (who is present, excused, represented by whom)
and the quorum it gives."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.models.common import Body, Out
from engine.rulebook.text import Text
from engine.services.attendance import AttendanceLine, Quorum


class AttendeeIn(Body):
    """One member of a funder of the session (`user`, `proxy`: usernames); `proxy` is the
    member present who represents a member `represented`."""

    user: Text = Field(min_length=1, max_length=150)
    status: Literal["present", "excused", "represented"]
    proxy: Text | None = Field(default=None, max_length=150)


class AttendanceIn(Body):
    """The whole attendance: a member left out is absent."""

    attendees: list[AttendeeIn] = Field(max_length=500)


class AttendeeOut(Out):
    """A member of a funder of the session; `status` null: nothing recorded (absent)."""

    user: str
    name: str
    funder: str
    funder_name: str
    status: Literal["present", "excused", "represented"] | None
    proxy: str | None
    proxy_name: str | None

    @classmethod
    def of(cls, line: AttendanceLine) -> AttendeeOut:
        return cls(
            user=line.username,
            name=line.name,
            funder=line.funder_code,
            funder_name=line.funder_name,
            status=line.status,  # type: ignore[arg-type]
            proxy=line.proxy_username,
            proxy_name=line.proxy_name,
        )


class QuorumOut(Out):
    """Funders of the session present or represented, how many must be, and the required
    funders still absent (their names)."""

    met: bool
    present: int
    total: int
    required: int
    missing: list[str]

    @classmethod
    def of(cls, quorum: Quorum) -> QuorumOut:
        return cls(
            met=quorum.met,
            present=quorum.present,
            total=quorum.total,
            required=quorum.required,
            missing=list(quorum.missing),
        )


class AttendanceOut(Out):
    session_id: int
    attendees: list[AttendeeOut]
    quorum: QuorumOut
