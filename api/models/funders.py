"""Funders: `GET/POST /api/v1/funders`."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Body, Out, RatioOut
from engine.models import Funder
from engine.rulebook.text import Text
from engine.rulebook.types import Ratio


class FunderIn(Body):
    code: Text = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_\-]+$")
    name: Text = Field(min_length=1, max_length=300)
    kind: Text = Field(min_length=1, max_length=50)
    insee: Text | None = Field(default=None, max_length=5)
    email: Text | None = Field(default=None, max_length=320)
    advance_rate: Ratio | None = None


class FunderOut(Out):
    id: int
    code: str
    name: str
    kind: str
    insee: str | None
    email: str | None
    advance_rate: RatioOut | None
    siret: str | None = Field(description="printed on its conventions and in the open data")
    active: bool = Field(description="false: no longer offered to new calls")

    @classmethod
    def of(cls, funder: Funder) -> FunderOut:
        return cls.model_validate(funder, from_attributes=True)


class FunderPatch(Body):
    """Only the fields sent change; `null` clears email, advance rate or INSEE code. The code
    stays: shares, users and envelopes point to it. `siret`: 14 digits, spaces allowed."""

    name: Text | None = Field(default=None, min_length=1, max_length=300)
    kind: Text | None = Field(default=None, min_length=1, max_length=50)
    insee: Text | None = Field(default=None, max_length=5)
    email: Text | None = Field(default=None, max_length=320)
    advance_rate: Ratio | None = None
    siret: Text | None = Field(default=None, max_length=20)
