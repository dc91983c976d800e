"""The shared diagnosis of a funding year (DESIGN §11): amounts are strings, like everywhere."""

from __future__ import annotations

from api.models.common import MoneyOut, Out
from engine.services.statistics import Statistics


class TotalsOut(Out):
    applications: int
    granted_applications: int
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut


class SchemeOut(TotalsOut):
    scheme: str
    label: str


class FunderOut(Out):
    code: str
    funder: str
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut
    envelope: MoneyOut


class CommuneOut(Out):
    insee: str
    name: str
    population: int
    actions: int
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut
    granted_per_1000: MoneyOut


class EpciOut(Out):
    siren: str
    name: str
    population: int
    actions: int
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut


class UnlocatedOut(Out):
    """Files naming no commune: in the totals, in no commune nor EPCI."""

    applications: int
    actions: int
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut


class ProcessingOut(Out):
    """Days from filing to the holder's notification: median and 90th percentile (null when no
    file of the year was notified), over `files` files."""

    median: int | None
    p90: int | None
    files: int


class StatisticsOut(Out):
    year: int
    scheme: str | None
    totals: TotalsOut
    by_scheme: list[SchemeOut]
    by_funder: list[FunderOut]
    by_commune: list[CommuneOut]
    by_epci: list[EpciOut]
    processing_days: ProcessingOut
    unlocated: UnlocatedOut

    @classmethod
    def of(cls, s: Statistics) -> StatisticsOut:
        # The service's dataclasses carry the same field names: read from their attributes.
        return cls.model_validate(s, from_attributes=True)
