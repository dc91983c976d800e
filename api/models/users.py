"""Users, for the administrator: `GET /api/v1/users`, `PATCH /api/v1/users/{id}`, deactivation."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from api.models.common import Body, Out
from engine.rulebook.text import Text


class UserOut(Out):
    id: int
    username: str
    name: str
    email: str | None
    role: str
    funder: str | None = Field(description="the funder's code (role funder)")
    organisation: str | None = Field(description="the organisation's name (role applicant)")
    title: str | None = Field(default=None, description="the job title, when recorded")
    active: bool

    @classmethod
    def of(cls, read: dict[str, Any]) -> UserOut:
        return cls.model_validate(read)


class UserPatch(Body):
    """Only the fields sent change; `null` clears email, funder, organisation or title."""

    name: Text | None = Field(default=None, min_length=1, max_length=300)
    email: Text | None = Field(default=None, max_length=320)
    role: Literal["applicant", "funder", "chair", "admin"] | None = None
    funder: Text | None = Field(default=None, max_length=50)
    organisation: Text | None = Field(default=None, max_length=300)
    title: Text | None = Field(default=None, max_length=200)


class ResetSentOut(Out):
    detail: str
