"""The public pages' JSON twins: `GET /api/v1/public/calls` and `/public/actions`, no login.

Only what the law already makes public (DESIGN §11): no person, no email, no document, no
comment, opinion or condition.
"""

from __future__ import annotations

from pydantic import Field

from api.models.common import Day, Out, Timestamp
from engine.services.public_catalogue import FundedAction, PublicCall


class PublicCallOut(Out):
    id: int
    title: str
    scheme: str
    scheme_label: str
    opens_at: Timestamp
    closes_at: Timestamp = Field(description="The deadline for applications")
    funders: list[str] = Field(description="The names of the funders taking part")
    apply_url: str = Field(description="Where to apply: sign in, then the application form")

    @classmethod
    def of(cls, call: PublicCall) -> PublicCallOut:
        return cls(
            id=call.id,
            title=call.title,
            scheme=call.scheme,
            scheme_label=call.scheme_label,
            opens_at=call.opens_at,
            closes_at=call.closes_at,
            funders=call.funders,
            apply_url=call.apply_url,
        )


class PublicCommuneOut(Out):
    insee: str = Field(description="The current INSEE code (a merged commune's new one)")
    name: str


class FundedActionOut(Out):
    title: str
    holder: str = Field(description="The holder organisation's name")
    scheme: str
    scheme_label: str
    year: int = Field(description="The funding year (of the reference date)")
    communes: list[PublicCommuneOut]
    period_start: Day | None
    period_end: Day | None
    funders: list[str] = Field(description="The names of the funders that granted a share")

    @classmethod
    def of(cls, action: FundedAction) -> FundedActionOut:
        return cls(
            title=action.title,
            holder=action.holder,
            scheme=action.scheme,
            scheme_label=action.scheme_label,
            year=action.year,
            communes=[PublicCommuneOut(insee=c.insee, name=c.name) for c in action.communes],
            period_start=action.period_start,
            period_end=action.period_end,
            funders=action.funders,
        )
