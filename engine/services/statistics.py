"""The shared diagnosis (DESIGN §11): a funding year's applications, amounts requested, granted
and paid, by scheme, funder, commune and EPCI, and the processing times.

A handful of queries whatever the size (the applications of the year, their shares, their
payments, their notification events, the calls, the envelopes, the funders), aggregated here:
an action covering n communes counts once in each and its amounts are split between them
(engine/territory/split.py), so that every breakdown adds up to the totals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from engine.access import Actor, require_role
from engine.clock import PARIS, now, paris_date
from engine.db import Database
from engine.models import Application, Call, CallEnvelope, Event, Funder, Payment, Share
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.communes import commune_name
from engine.rulebook.money import ZERO, round_cents
from engine.territory.reference import commune, epci_populations
from engine.territory.split import current_codes
from workflows.application import APPLICATION
from workflows.payment import OUTGOING

SUBMITTED = APPLICATION.tagged("submitted")  # drafts and withdrawn files are not counted
NOTIFIED = APPLICATION.tagged("notified")
FIRST_YEAR, LAST_YEAR = 2000, 2100
THOUSAND = Decimal(1000)
NO_EPCI = "Hors intercommunalité"


@dataclass
class Amounts:
    """Requested (every share asked), granted (shares granted) and paid (payments paid, less
    the recoveries received)."""

    requested: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO

    def add(self, requested: Decimal, granted: Decimal, paid: Decimal) -> None:
        self.requested += requested
        self.granted += granted
        self.paid += paid


@dataclass
class Totals(Amounts):
    applications: int = 0  # files submitted in the year
    granted_applications: int = 0  # …with at least one share granted


@dataclass
class SchemeLine(Totals):
    scheme: str = ""
    label: str = ""


@dataclass
class FunderLine(Amounts):
    code: str = ""
    funder: str = ""  # its name
    envelope: Decimal = ZERO  # its envelopes in the calls of the year's files


@dataclass
class CommuneLine(Amounts):
    insee: str = ""
    name: str = ""
    population: int = 0
    actions: int = 0  # funded actions (a granted share) taking place there

    @property
    def granted_per_1000(self) -> Decimal:
        return per_thousand(self.granted, self.population)


@dataclass
class EpciLine(Amounts):
    siren: str = ""  # empty: the communes outside any EPCI
    name: str = ""
    population: int = 0
    actions: int = 0  # funded actions with at least one of its communes


@dataclass
class Unlocated(Amounts):
    """Files naming no commune: in the totals, in no commune nor EPCI."""

    applications: int = 0
    actions: int = 0


@dataclass(frozen=True)
class ProcessingDays:
    """Days (in Paris) from filing to the holder's notification, over the notified files."""

    median: int | None
    p90: int | None
    files: int


@dataclass
class Statistics:
    year: int
    scheme: str | None
    totals: Totals
    by_scheme: list[SchemeLine]
    by_funder: list[FunderLine]
    by_commune: list[CommuneLine]
    by_epci: list[EpciLine]
    processing_days: ProcessingDays
    unlocated: Unlocated = field(default_factory=Unlocated)


def per_thousand(amount: Decimal, population: int) -> Decimal:
    """`amount` per 1 000 inhabitants, to the cent (0 for an unpeopled place)."""
    return round_cents(amount / population * THOUSAND) if population > 0 else ZERO


def check_filters(year: Any, scheme: str | None) -> tuple[int, str | None]:
    """The year (2000 to 2100) and the scheme (a known one, or none): 422 naming each."""
    errors = []
    if isinstance(year, bool) or not isinstance(year, int):
        try:
            year = int(str(year).strip())
        except ValueError:
            year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(FieldError("year", "statistics_year", min=FIRST_YEAR, max=LAST_YEAR))
    scheme = scheme or None
    if scheme is not None and scheme not in default_registry().schemes:
        errors.append(FieldError("scheme", "unknown_scheme", scheme=scheme))
    if errors:
        raise InvalidInput(errors)
    return year, scheme


def _of_year(year: int, scheme: str | None) -> ColumnElement[bool]:
    """The files counted: submitted, of the funding year (the reference date's, else the
    filing's), of the scheme when one is asked for."""
    start_at = datetime(year, 1, 1, tzinfo=PARIS).astimezone(UTC)
    end_at = datetime(year + 1, 1, 1, tzinfo=PARIS).astimezone(UTC)
    reference = col(Application.reference_date)
    submitted = col(Application.submitted_at)
    condition = and_(
        col(Application.state).in_(SUBMITTED),
        or_(
            and_(reference >= date(year, 1, 1), reference < date(year + 1, 1, 1)),
            and_(reference.is_(None), submitted >= start_at, submitted < end_at),
        ),
    )
    if scheme is not None:
        calls = select(Call.id).where(Call.scheme == scheme)
        condition = and_(condition, col(Application.call_id).in_(calls))
    return condition


@dataclass
class Rows:
    """What the database holds for a year, summed there per file and per funder."""

    # (id, call id, territory (JSON text or list), requested, granted, funded): the amounts
    # summed over the file's shares, `funded` when one of them is granted
    applications: list[tuple[int, int, Any, Decimal, Decimal, bool]]
    # (funder id, requested, granted) over the shares of the files
    funder_shares: list[tuple[int, Decimal, Decimal]]
    # (application id, funder id, kind, amount) of the payments paid (recoveries received)
    payments: list[tuple[int, int, str, Decimal]]
    # (filed at, first notification) of the notified files
    notified: list[tuple[datetime, datetime]]
    schemes: dict[int, str]  # call id → scheme
    envelopes: list[tuple[int, Decimal]]  # (funder id, envelope) in the calls of the files
    funders: dict[int, tuple[str, str]]  # funder id → (code, name)


def read_rows(session: Session, year: int, scheme: str | None) -> Rows:
    """Seven queries whatever the number of files, the shares summed by the database."""
    condition = _of_year(year, scheme)
    granted = case((col(Share.state) == "granted", col(Share.granted)), else_=None)
    funded = case((and_(col(Share.state) == "granted", col(Share.granted) > 0), 1), else_=0)
    files = (
        sa_select(
            col(Application.id),
            col(Application.call_id),
            col(Application.data)["territory"].as_string(),
            func.sum(Share.requested),
            func.sum(granted),
            func.max(funded),
        )
        .select_from(Application)
        .outerjoin(Share, col(Share.application_id) == col(Application.id))
        .where(condition)
        .group_by(col(Application.id))
    )
    by_funder = (
        select(col(Share.funder_id), func.sum(Share.requested), func.sum(granted))
        .join(Application, col(Share.application_id) == col(Application.id))
        .where(condition)
        .group_by(col(Share.funder_id))
    )
    payments = (
        select(
            col(Payment.application_id),
            col(Payment.funder_id),
            col(Payment.kind),
            col(Payment.amount),
        )
        .join(Application, col(Payment.application_id) == col(Application.id))
        .where(Payment.state == "paid", condition)
    )
    notified = (
        select(col(Application.submitted_at), func.min(Event.created_at))
        .join(Application, col(Event.application_id) == col(Application.id))
        .where(
            Event.entity == "application",
            Event.action == "notify",
            condition,
            col(Application.state).in_(NOTIFIED),
        )
        .group_by(col(Application.id))
    )
    applications = [
        (aid, cid, codes, requested or ZERO, given or ZERO, bool(any_granted))
        for aid, cid, codes, requested, given, any_granted in session.execute(files)
    ]
    call_ids = {row[1] for row in applications}
    calls = select(Call.id, Call.scheme).where(col(Call.id).in_(call_ids))
    envelopes = select(col(CallEnvelope.funder_id), col(CallEnvelope.envelope)).where(
        col(CallEnvelope.call_id).in_(call_ids)
    )
    funders = select(Funder.id, Funder.code, Funder.name)
    return Rows(
        applications=applications,
        funder_shares=[
            (fid, requested or ZERO, given or ZERO)
            for fid, requested, given in session.execute(by_funder)
        ],
        payments=list(session.exec(payments)),
        notified=[(at, first) for at, first in session.exec(notified) if at and first],
        schemes={cid or 0: code for cid, code in session.exec(calls)},
        envelopes=list(session.exec(envelopes)),
        funders={fid or 0: (code, name) for fid, code, name in session.exec(funders)},
    )


def territory_statistics(db: Database, actor: Actor, year: Any, scheme: str | None) -> Statistics:
    """The figures of a funding year (and a scheme): for the chair, the administrator and the
    funders (the diagnosis is shared)."""
    require_role(actor, "chair", "admin", "funder")
    year, scheme = check_filters(year, scheme)
    with db.reading() as session:
        rows = read_rows(session, year, scheme)
    return tally(year, scheme, rows)


@lru_cache(maxsize=4096)
def _territory(text: str) -> tuple[str, ...]:
    """A file's territory as stored (JSON text) → its current communes, sorted; files of a
    year share few territories, each read once."""
    try:
        codes = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(codes, list):
        return ()
    return tuple(current_codes(str(code) for code in codes))


def _codes(territory: Any) -> tuple[str, ...]:
    if not territory:
        return ()
    if isinstance(territory, str):
        return _territory(territory)
    return tuple(current_codes(str(code) for code in territory))


class _Sums:
    """Running sums of files sharing a call (or a territory): counts, amounts and, for a
    territory of n > 1 communes, the sum of each file's amount ÷ n rounded (the part of every
    commune but the lowest code)."""

    __slots__ = ("files", "funded", "granted", "paid", "part_g", "part_p", "part_r", "requested")

    def __init__(self) -> None:
        self.files = self.funded = 0
        self.requested = self.granted = self.paid = ZERO
        self.part_r = self.part_g = self.part_p = ZERO


def tally(year: int, scheme: str | None, rows: Rows) -> Statistics:
    """The figures of the rows, in one pass over the files: summed by call and by territory,
    then spread to schemes, communes and EPCIs (DESIGN §11's split, file by file)."""
    paid_of: dict[int, Decimal] = {}
    by_funder: dict[int, FunderLine] = {}
    for funder_id, requested, granted in rows.funder_shares:
        line = by_funder.setdefault(funder_id, FunderLine())
        line.requested += requested
        line.granted += granted
    for aid, funder_id, kind, amount in rows.payments:
        signed = amount if kind in OUTGOING else -amount
        paid_of[aid] = paid_of.get(aid, ZERO) + signed
        by_funder.setdefault(funder_id, FunderLine()).paid += signed
    for funder_id, envelope in rows.envelopes:
        by_funder.setdefault(funder_id, FunderLine()).envelope += envelope
    for funder_id, line in by_funder.items():
        line.code, line.funder = rows.funders.get(funder_id, ("", ""))

    per_call: dict[int, _Sums] = {}
    per_territory: dict[tuple[str, ...], _Sums] = {}
    for aid, call_id, territory, requested, granted, funded in rows.applications:
        paid = paid_of.get(aid, ZERO) if paid_of else ZERO
        codes = _codes(territory)
        place = per_territory.get(codes)
        if place is None:
            place = per_territory[codes] = _Sums()
        for sums in (per_call.get(call_id) or per_call.setdefault(call_id, _Sums()), place):
            sums.files += 1
            sums.funded += funded
            sums.requested += requested
            sums.granted += granted
            sums.paid += paid
        n = len(codes)
        if n > 1:
            if requested:
                place.part_r += round_cents(requested / n)
            if granted:
                place.part_g += round_cents(granted / n)
            if paid:
                place.part_p += round_cents(paid / n)
    return Statistics(
        year=year,
        scheme=scheme,
        processing_days=_processing(rows.notified),
        by_funder=sorted(by_funder.values(), key=lambda f: f.funder),
        **_by_scheme(per_call, rows.schemes),
        **_by_place(per_territory),
    )


def _by_scheme(per_call: dict[int, _Sums], schemes: dict[int, str]) -> dict[str, Any]:
    labels = {code: m.label for code, m in default_registry().schemes.items()}
    totals = Totals()
    by_scheme: dict[str, SchemeLine] = {}
    for call_id, sums in per_call.items():
        code = schemes[call_id]
        line = by_scheme.get(code)
        if line is None:
            line = by_scheme[code] = SchemeLine(scheme=code, label=labels.get(code, code))
        for target in (totals, line):
            target.add(sums.requested, sums.granted, sums.paid)
            target.applications += sums.files
            target.granted_applications += sums.funded
    return {"totals": totals, "by_scheme": sorted(by_scheme.values(), key=lambda s: s.label)}


def _by_place(per_territory: dict[tuple[str, ...], _Sums]) -> dict[str, Any]:
    """Each territory's sums spread over its communes: every commune but the lowest code gets
    the sum of the files' rounded parts, the lowest code the rest; an EPCI gets its communes'
    parts and counts each action once."""
    places: dict[str, CommuneLine] = {}
    groups: dict[str, EpciLine] = {}
    unlocated = Unlocated()
    for codes, sums in per_territory.items():
        if not codes:
            unlocated.add(sums.requested, sums.granted, sums.paid)
            unlocated.applications += sums.files
            unlocated.actions += sums.funded
            continue
        others = (sums.part_r, sums.part_g, sums.part_p)
        if len(codes) == 1:
            others = (ZERO, ZERO, ZERO)
        rest = len(codes) - 1
        lowest = (
            sums.requested - rest * others[0],
            sums.granted - rest * others[1],
            sums.paid - rest * others[2],
        )
        touched: dict[str, EpciLine] = {}
        for index, insee in enumerate(codes):
            part = lowest if index == 0 else others
            place = places.get(insee) or places.setdefault(insee, _place(insee))
            place.add(*part)
            place.actions += sums.funded
            siren = _epci_of(insee)
            group = groups.get(siren) or groups.setdefault(siren, _group(siren, insee))
            group.add(*part)
            touched[siren] = group
        for group in touched.values():
            group.actions += sums.funded
    return {
        "by_commune": sorted(places.values(), key=lambda c: c.insee),
        "by_epci": sorted(groups.values(), key=lambda e: (e.siren == "", e.name)),
        "unlocated": unlocated,
    }


def _place(insee: str) -> CommuneLine:
    ref = commune(insee)
    if ref is None:  # a code the reference list does not know: counted, not named
        return CommuneLine(insee=insee, name=commune_name(insee) or insee)
    return CommuneLine(insee=ref.insee, name=ref.name, population=ref.population)


def _epci_of(insee: str) -> str:
    ref = commune(insee)
    return ref.epci_siren if ref is not None else ""


def _group(siren: str, insee: str) -> EpciLine:
    if not siren:
        return EpciLine(siren="", name=NO_EPCI)
    ref = commune(insee)
    name = ref.epci_name if ref is not None else siren
    return EpciLine(siren=siren, name=name, population=epci_populations().get(siren, 0))


def _processing(moments: Iterable[tuple[datetime, datetime]]) -> ProcessingDays:
    days = sorted((paris_date(notified) - paris_date(filed)).days for filed, notified in moments)
    if not days:
        return ProcessingDays(None, None, 0)
    return ProcessingDays(_rank(days, 0.5), _rank(days, 0.9), len(days))


def _rank(ordered: list[int], fraction: float) -> int:
    """Nearest-rank percentile: the smallest value with at least `fraction` of them at or
    below it."""
    index = max(1, -(-len(ordered) * int(fraction * 100) // 100))
    return ordered[index - 1]


def funding_years(db: Database, actor: Actor) -> list[int]:
    """The funding years that have files, latest first (the current year when none has)."""
    require_role(actor, "chair", "admin", "funder")
    submitted = col(Application.state).in_(SUBMITTED)
    with db.reading() as session:
        query = select(
            func.min(Application.reference_date),
            func.max(Application.reference_date),
            func.min(Application.submitted_at),
            func.max(Application.submitted_at),
        ).where(submitted)
        bounds = session.exec(query).one()
    years = [
        value.year if isinstance(value, date) else int(str(value)[:4])
        for value in bounds
        if value is not None
    ]
    if not years:
        return [paris_date(now()).year]
    first, last = max(min(years), FIRST_YEAR), min(max(years), LAST_YEAR)
    return list(range(last, first - 1, -1))
