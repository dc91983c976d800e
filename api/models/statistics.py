"""The shared diagnosis of a funding year (DESIGN §11): amounts are strings, like everywhere."""

from __future__ import annotations

from api.models.common import MoneyOut, Out
from engine.services.statistics import (
    CommuneLine,
    EpciLine,
    FunderLine,
    SchemeLine,
    Statistics,
    Totals,
    Unlocated,
)


class TotalsOut(Out):
    applications: int
    granted_applications: int
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut

    @classmethod
    def of(cls, t: Totals) -> TotalsOut:
        return cls(
            applications=t.applications,
            granted_applications=t.granted_applications,
            requested=t.requested,
            granted=t.granted,
            paid=t.paid,
        )


class SchemeOut(TotalsOut):
    scheme: str
    label: str

    @classmethod
    def of(cls, t: Totals) -> SchemeOut:
        assert isinstance(t, SchemeLine)
        return cls(
            scheme=t.scheme,
            label=t.label,
            applications=t.applications,
            granted_applications=t.granted_applications,
            requested=t.requested,
            granted=t.granted,
            paid=t.paid,
        )


class FunderOut(Out):
    code: str
    funder: str
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut
    envelope: MoneyOut

    @classmethod
    def of(cls, f: FunderLine) -> FunderOut:
        return cls(
            code=f.code,
            funder=f.funder,
            requested=f.requested,
            granted=f.granted,
            paid=f.paid,
            envelope=f.envelope,
        )


class CommuneOut(Out):
    insee: str
    name: str
    population: int
    actions: int
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut
    granted_per_1000: MoneyOut

    @classmethod
    def of(cls, c: CommuneLine) -> CommuneOut:
        return cls(
            insee=c.insee,
            name=c.name,
            population=c.population,
            actions=c.actions,
            requested=c.requested,
            granted=c.granted,
            paid=c.paid,
            granted_per_1000=c.granted_per_1000,
        )


class EpciOut(Out):
    siren: str
    name: str
    population: int
    actions: int
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut

    @classmethod
    def of(cls, e: EpciLine) -> EpciOut:
        return cls(
            siren=e.siren,
            name=e.name,
            population=e.population,
            actions=e.actions,
            requested=e.requested,
            granted=e.granted,
            paid=e.paid,
        )


class UnlocatedOut(Out):
    """Files naming no commune: in the totals, in no commune nor EPCI."""

    applications: int
    actions: int
    requested: MoneyOut
    granted: MoneyOut
    paid: MoneyOut

    @classmethod
    def of(cls, u: Unlocated) -> UnlocatedOut:
        return cls(
            applications=u.applications,
            actions=u.actions,
            requested=u.requested,
            granted=u.granted,
            paid=u.paid,
        )


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
        p = s.processing_days
        return cls(
            year=s.year,
            scheme=s.scheme,
            totals=TotalsOut.of(s.totals),
            by_scheme=[SchemeOut.of(line) for line in s.by_scheme],
            by_funder=[FunderOut.of(line) for line in s.by_funder],
            by_commune=[CommuneOut.of(line) for line in s.by_commune],
            by_epci=[EpciOut.of(line) for line in s.by_epci],
            processing_days=ProcessingOut(median=p.median, p90=p.p90, files=p.files),
            unlocated=UnlocatedOut.of(s.unlocated),
        )
