"""Conflicts of interest of a session: a declaration in, the list out."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.models.common import Body, Id, Out, Timestamp
from engine.rulebook.text import MultilineText, Text
from engine.services.conflicts import ConflictLine


class ConflictIn(Body):
    """A member declares its own conflict on a file of the agenda (`user`: its username); the
    chair may record one for any member of a funder of the session."""

    application_id: Id
    user: Text = Field(min_length=1, max_length=150)
    reason: MultilineText = Field(max_length=2000)


class ConflictOut(Out):
    application_id: int
    reference: str
    title: str
    user: str = Field(description="the member's username")
    user_name: str
    funder: str = Field(description="the member's funder code")
    funder_name: str
    reason: str
    source: Literal["declared", "recorded_by_chair", "automatic"]
    declared_by: str | None = Field(description="who recorded it; null when found automatically")
    at: Timestamp | None = Field(description="null: found automatically, stored at the opening")

    @classmethod
    def of(cls, line: ConflictLine) -> ConflictOut:
        return cls(
            application_id=line.application_id,
            reference=line.reference,
            title=line.title,
            user=line.username,
            user_name=line.user_name,
            funder=line.funder_code,
            funder_name=line.funder_name,
            reason=line.reason,
            source=line.source,
            declared_by=line.declared_by,
            at=line.at,
        )
