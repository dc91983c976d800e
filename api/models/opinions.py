"""Opinions of a funder's members on its share of a file, before the session."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.models.common import Body, Out, Timestamp
from engine.rulebook.text import MultilineText
from engine.services.opinions import OpinionLine


class OpinionIn(Body):
    opinion: Literal["favourable", "reserved", "unfavourable"]
    comment: MultilineText | None = Field(default=None, max_length=2000)


class OpinionOut(Out):
    """One member's opinion on its funder's share."""

    application_id: int
    funder: str
    funder_name: str
    user: str
    user_name: str
    opinion: str
    label: str = Field(description="The opinion in French words (Favorable, Réservé…)")
    comment: str | None
    at: Timestamp

    @classmethod
    def of(cls, line: OpinionLine) -> OpinionOut:
        return cls(**{name: getattr(line, name) for name in cls.model_fields})
