"""What anyone may read without signing in (DESIGN §11): the open calls and the catalogue of
funded actions, for families and partners.

Only what the law already makes public: a call's title, scheme and dates; a funded action's
title, its holder organisation's name, its scheme, its communes, its period and its funders'
names. Never a person, an email, a document, a comment, an opinion or a condition: the
dataclasses below are the whole of what leaves this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from engine.clock import PARIS, now, paris_date
from engine.db import Database
from engine.models import Application, Call, CallEnvelope, Funder, Organisation, Share
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.communes import commune_name
from engine.territory import reference
from workflows.application import APPLICATION
from workflows.call import CALL

DECIDED = APPLICATION.tagged("decided")
ACCEPTS_SUBMISSIONS = CALL.tagged("accepts_submissions")
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class PublicCall:
    """An open call, and where to apply (signing in first, then the new application form)."""

    id: int
    title: str
    scheme: str
    scheme_label: str
    opens_at: datetime
    closes_at: datetime
    funders: list[str]
    apply_url: str


@dataclass(frozen=True)
class PublicCommune:
    insee: str
    name: str


@dataclass(frozen=True)
class FundedAction:
    """An action with at least one granted share, as the public catalogue shows it."""

    title: str
    holder: str
    scheme: str
    scheme_label: str
    year: int
    communes: list[PublicCommune]
    period_start: date | None
    period_end: date | None
    funders: list[str]


def scheme_label(code: str) -> str:
    scheme = default_registry().schemes.get(code)
    return scheme.label if scheme else code


def schemes() -> list[tuple[str, str]]:
    """Every scheme as (code, label), by label."""
    found = [(code, module.label) for code, module in default_registry().schemes.items()]
    return sorted(found, key=lambda item: item[1])


def _commune(insee: str) -> PublicCommune:
    """A commune under its current code and name (a 2018 code merged since: the new commune)."""
    current = reference.commune(insee)
    if current is None:
        return PublicCommune(insee, commune_name(insee) or insee)
    return PublicCommune(current.insee, current.name)


def check_filters(year: int | None, commune: str | None, scheme: str | None) -> str | None:
    """Refuse an unknown year, commune or scheme (422 naming it); the commune's current code."""
    errors: list[FieldError] = []
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(
            FieldError("year", "year_unknown", year=year, first=FIRST_YEAR, last=LAST_YEAR)
        )
    if scheme is not None and scheme not in default_registry().schemes:
        errors.append(FieldError("scheme", "unknown_scheme", scheme=scheme))
    current = None
    if commune is not None:
        current = reference.current_code(commune.strip())
        if current is None:
            errors.append(FieldError("commune", "unknown_insee", insee=commune))
    if errors:
        raise InvalidInput(errors)
    return current


def apply_url(call_id: int) -> str:
    """Sign in, then straight to the new application form of this call."""
    return "/connexion?suivant=" + quote(f"/demandes/nouvelle?appel={call_id}", safe="/")


def open_calls(db: Database) -> list[PublicCall]:
    """The calls accepting applications now, the nearest deadline first."""
    with db.reading() as session:
        calls = session.exec(
            select(Call)
            .where(col(Call.state).in_(ACCEPTS_SUBMISSIONS))
            .order_by(col(Call.closes_at), col(Call.id))
        ).all()
        names: dict[int, list[str]] = defaultdict(list)
        rows = session.exec(
            select(CallEnvelope.call_id, Funder.name)
            .join(Funder, col(Funder.id) == col(CallEnvelope.funder_id))
            .order_by(col(Funder.name))
        )
        for call_id, name in rows:
            names[call_id].append(name)
    moment = now()
    return [
        PublicCall(
            id=call.id or 0,
            title=call.title,
            scheme=call.scheme,
            scheme_label=scheme_label(call.scheme),
            opens_at=call.opens_at,
            closes_at=call.closes_at,
            funders=names[call.id or 0],
            apply_url=apply_url(call.id or 0),
        )
        for call in calls
        if call.closes_at > moment
    ]


def funding_year(application: Application) -> int | None:
    """The funding year: the reference date's, else the submission's (Paris day), as in the
    statistics (engine/services/statistics.py)."""
    if application.reference_date is not None:
        return application.reference_date.year
    if application.submitted_at is not None:
        return paris_date(application.submitted_at).year
    return None


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _granted() -> SelectOfScalar[int]:
    return select(Share.application_id).where(Share.state == "granted")


def _of_year(year: int) -> ColumnElement[bool]:
    """Of this funding year: the reference date's, else the submission's (Paris day)."""
    start_at = datetime(year, 1, 1, tzinfo=PARIS).astimezone(UTC)
    end_at = datetime(year + 1, 1, 1, tzinfo=PARIS).astimezone(UTC)
    reference, submitted = col(Application.reference_date), col(Application.submitted_at)
    return or_(
        and_(reference >= date(year, 1, 1), reference < date(year + 1, 1, 1)),
        and_(reference.is_(None), submitted >= start_at, submitted < end_at),
    )


def funded_actions(
    db: Database,
    year: int | None = None,
    commune: str | None = None,
    scheme: str | None = None,
) -> list[FundedAction]:
    """The decided applications with at least one granted share, by title; `commune` is an
    INSEE code (2018 or current), every filter optional. Unknown values raise InvalidInput."""
    wanted_commune = check_filters(year, commune, scheme)
    with db.reading() as session:
        query = (
            select(Application, Call.scheme, Organisation.name)
            .join(Call, col(Call.id) == col(Application.call_id))
            .join(Organisation, col(Organisation.id) == col(Application.organisation_id))
            .where(col(Application.state).in_(DECIDED))
            .order_by(col(Application.title), col(Application.id))
        )
        if scheme is not None:
            query = query.where(Call.scheme == scheme)
        if year is not None:
            query = query.where(_of_year(year))
        rows = session.exec(query.where(col(Application.id).in_(_granted()))).all()
        granted: dict[int, list[str]] = defaultdict(list)
        shares = session.exec(
            select(Share.application_id, Funder.name)
            .join(Funder, col(Funder.id) == col(Share.funder_id))
            .where(Share.state == "granted")
            .order_by(col(Funder.name))
        )
        for application_id, name in shares:
            granted[application_id].append(name)
    actions = []
    for application, code, holder in rows:
        funders = granted.get(application.id or 0)
        action_year = funding_year(application)
        if not funders or action_year is None or (year is not None and action_year != year):
            continue
        places = list(
            {c.insee: c for c in map(_commune, application.data.get("territory") or [])}.values()
        )
        if wanted_commune is not None and wanted_commune not in {c.insee for c in places}:
            continue
        period = application.data.get("period") or {}
        actions.append(
            FundedAction(
                title=application.title,
                holder=holder,
                scheme=code,
                scheme_label=scheme_label(code),
                year=action_year,
                communes=sorted(places, key=lambda c: c.name),
                period_start=_day(period.get("start")),
                period_end=_day(period.get("end")),
                funders=funders,
            )
        )
    return actions


def funded_years(db: Database) -> list[int]:
    """The funding years that have funded actions, the latest first (the page's year list)."""
    with db.reading() as session:
        rows = session.exec(
            select(col(Application.reference_date), col(Application.submitted_at)).where(
                col(Application.state).in_(DECIDED), col(Application.id).in_(_granted())
            )
        ).all()
    years: set[int] = set()
    for reference_date, submitted in rows:
        if reference_date is not None:
            years.add(reference_date.year)
        elif submitted is not None:
            years.add(paris_date(submitted).year)
    return sorted(years, reverse=True)
