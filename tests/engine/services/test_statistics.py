"""The shared diagnosis (DESIGN §11): every breakdown adds up to its totals (a property over
generated files), an action over three communes split to the cent, a code merged since 2018
counted on its current commune, the funding year, and a constant number of queries."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlmodel import select

from engine.access import Actor
from engine.db import Database
from engine.errors import Forbidden
from engine.models import Application, Event, Funder, Payment, Share, User
from engine.rulebook import InvalidInput
from engine.services.statistics import Statistics, territory_statistics
from engine.territory.reference import commune, current_code
from engine.territory.split import current_codes, split

D = Decimal
ZERO = D("0.00")
# Grenoble, Échirolles (both in the Métropole), Ornacieux-Balbins and Ornacieux (38025, merged
# into it in 2019), Les Abrets en Dauphiné, Île-de-Bréhat (in no EPCI), an unknown code
POOL = ["38185", "38151", "38284", "38025", "38001", "22016", "99999"]


def test_an_action_over_three_communes_gives_the_lowest_code_the_rest() -> None:
    codes = current_codes(["38185", "38151", "38284"])
    assert codes == ["38151", "38185", "38284"]
    assert split(D("100.00"), codes) == [D("33.34"), D("33.33"), D("33.33")]
    assert split(D("0.02"), codes) == [D("0.00"), D("0.01"), D("0.01")]
    assert split(D("200.00"), codes) == [D("66.66"), D("66.67"), D("66.67")]
    assert split(D("5.00"), ["38185"]) == [D("5.00")]


def test_a_code_merged_since_2018_is_its_current_commune() -> None:
    assert current_code("38025") == "38284"
    assert current_code("38284") == "38284"
    assert current_code("00000") is None
    ornacieux = commune("38025")
    assert ornacieux is not None and ornacieux.name == "Ornacieux-Balbins"
    assert ornacieux.epci_siren == "200059392" and ornacieux.population > 0
    # the same commune named twice (once by its former code) counts once
    assert current_codes(["38284", "38025", "38185"]) == ["38185", "38284"]


# -- from the database ------------------------------------------------------------------------


def _actors(db: Database) -> dict[str, Actor]:
    with db.reading() as session:
        return {u.username: Actor.of(u) for u in session.exec(select(User))}


def _copy(db: Database, application_id: int, **changes: Any) -> int:
    """Another file like `application_id` (its shares too), with `changes`."""
    with db.transaction() as session:
        original = session.get(Application, application_id)
        assert original is not None
        clone = Application(
            call_id=original.call_id,
            organisation_id=original.organisation_id,
            created_by=original.created_by,
            title=original.title,
            data=copy.deepcopy(original.data),
            **changes,
        )
        session.add(clone)
        session.flush()
        for share in session.exec(select(Share).where(Share.application_id == application_id)):
            session.add(
                Share(
                    application_id=clone.id or 0,
                    funder_id=share.funder_id,
                    requested=share.requested,
                    state=share.state,
                    granted=share.granted,
                )
            )
        return clone.id or 0


def test_the_funding_year_is_the_reference_dates_else_the_filings(
    db: Database, draft_application: int
) -> None:
    chair = _actors(db)["chair"]
    assert territory_statistics(db, chair, 2027, None).totals.applications == 0  # a draft
    filed_2026 = datetime(2026, 11, 3, 10, tzinfo=UTC)
    _copy(db, draft_application, state="eligible", submitted_at=filed_2026)
    _copy(
        db,
        draft_application,
        state="eligible",
        submitted_at=filed_2026,
        reference_date=date(2027, 2, 1),
    )
    _copy(db, draft_application, state="withdrawn", submitted_at=filed_2026)
    # New Year's Eve in Paris is already 2027 there
    _copy(
        db,
        draft_application,
        state="eligible",
        submitted_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
    )
    assert territory_statistics(db, chair, 2026, None).totals.applications == 1
    assert territory_statistics(db, chair, "2027", "reaap").totals.applications == 2
    assert territory_statistics(db, chair, 2027, "clas").totals.applications == 0


def test_the_figures_take_a_constant_number_of_queries(
    db: Database, draft_application: int
) -> None:
    chair = _actors(db)["chair"]

    def counted() -> tuple[int, Statistics]:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            figures = territory_statistics(db, chair, 2027, None)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen), figures

    when = {"state": "eligible", "submitted_at": datetime(2027, 1, 5, tzinfo=UTC)}
    _copy(db, draft_application, **when)
    few, figures = counted()
    assert figures.totals.applications == 1
    for _ in range(5):
        _copy(db, draft_application, **when)
    many, figures = counted()
    assert figures.totals.applications == 6
    assert many == few <= 8


def test_a_bad_year_or_scheme_names_the_parameter_and_holders_are_refused(
    db: Database, draft_application: int
) -> None:
    actors = _actors(db)
    for year, scheme, field in (
        ("1999", None, "year"),
        (2101, None, "year"),
        ("l'an dernier", None, "year"),
        (True, None, "year"),
        (2027, "nope", "scheme"),
    ):
        with pytest.raises(InvalidInput) as refused:
            territory_statistics(db, actors["chair"], year, scheme)
        assert [e.field for e in refused.value.errors] == [field]
    with pytest.raises(Forbidden):
        territory_statistics(db, actors["asso"], 2027, None)
    assert territory_statistics(db, actors["caf1"], 2027, None).by_commune == []


# -- every breakdown adds up to its totals, over generated files ---------------------------------

FUNDER_CODES = ["caf", "departement", "msa"]
money = st.integers(min_value=1, max_value=5_000_000).map(lambda c: D(c) / 100)
share = st.tuples(
    money,  # requested
    st.one_of(st.none(), money),  # granted (None: refused or undecided)
    st.sampled_from(["none", "advance", "advance+recovery"]),
)
a_file = st.fixed_dictionaries(
    {
        "territory": st.lists(st.sampled_from(POOL), max_size=4),
        "shares": st.dictionaries(
            st.sampled_from(["caf", "departement", "msa"]), share, min_size=1
        ),
        "notified_after": st.one_of(st.none(), st.integers(0, 200)),
        "recovered": money,
    }
)
YEARS = iter(range(2030, 2101))  # one funding year per example: examples share the database


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=st.lists(a_file, max_size=8))
def test_every_breakdown_adds_up_to_its_totals(
    db: Database, draft_application: int, files: list[dict[str, Any]]
) -> None:
    year = next(YEARS)
    expected = _store(db, draft_application, year, files)
    figures = territory_statistics(db, _actors(db)["chair"], year, None)
    totals, unlocated = figures.totals, figures.unlocated
    assert totals.applications == len(files)
    assert (totals.requested, totals.granted, totals.paid) == (
        expected["requested"],
        expected["granted"],
        expected["paid"],
    )
    assert totals.granted_applications == expected["funded"]
    for name in ("requested", "granted", "paid"):
        total = getattr(totals, name)
        assert _sum(figures.by_scheme, name) == total, name
        assert _sum(figures.by_funder, name) == total, name
        assert _sum(figures.by_commune, name) + getattr(unlocated, name) == total, name
        assert _sum(figures.by_epci, name) + getattr(unlocated, name) == total, name
    for name in ("applications", "granted_applications"):
        assert sum(getattr(s, name) for s in figures.by_scheme) == getattr(totals, name)
    assert sum(c.actions for c in figures.by_commune) == expected["actions"]
    assert unlocated.applications == expected["unlocated"]
    insees = [c.insee for c in figures.by_commune]
    assert len(insees) == len(set(insees)) and "38025" not in insees  # merged: on 38284
    assert all(c.name for c in figures.by_commune)
    processing = figures.processing_days
    assert processing.files == expected["notified"]
    if processing.files:
        assert processing.median is not None and processing.p90 is not None
        assert 0 <= processing.median <= processing.p90 <= 200
    else:
        assert processing.median is None and processing.p90 is None


def _sum(lines: list[Any], name: str) -> Any:
    return sum((getattr(line, name) for line in lines), ZERO)


def _store(db: Database, like: int, year: int, files: list[dict[str, Any]]) -> dict[str, Any]:
    """Store `files` as filed in `year` (their shares, payments paid, notifications); return
    what the figures must say, computed here file by file."""
    expected: dict[str, Any] = dict.fromkeys(("requested", "granted", "paid"), ZERO)
    expected.update(funded=0, actions=0, unlocated=0, notified=0)
    filed = datetime(year, 3, 2, 9, tzinfo=UTC)
    with db.transaction() as session:
        template = session.get(Application, like)
        assert template is not None
        funders = {f.code: f.id or 0 for f in session.exec(select(Funder))}
        for number, file in enumerate(files):
            notified = file["notified_after"] is not None
            application = Application(
                call_id=template.call_id,
                organisation_id=template.organisation_id,
                created_by=template.created_by,
                title=f"Action {number}",
                data={**template.data, "territory": file["territory"]},
                state="notified" if notified else "eligible",
                reference_date=date(year, 2, 1),
                submitted_at=filed,
            )
            session.add(application)
            session.flush()
            aid = application.id or 0
            funded = False
            for code, (requested, granted, paid) in file["shares"].items():
                row = Share(
                    application_id=aid,
                    funder_id=funders[code],
                    requested=requested,
                    state="granted" if granted else "refused",
                    granted=granted,
                )
                session.add(row)
                session.flush()
                expected["requested"] += requested
                if granted:
                    funded = True
                    expected["granted"] += granted
                for kind in paid.split("+") if granted and paid != "none" else []:
                    amount = granted if kind == "advance" else file["recovered"]
                    session.add(
                        Payment(
                            application_id=aid,
                            share_id=row.id or 0,
                            funder_id=funders[code],
                            kind=kind,
                            amount=amount,
                            state="paid",
                        )
                    )
                    expected["paid"] += amount if kind == "advance" else -amount
            if notified:
                expected["notified"] += 1
                session.add(
                    Event(
                        entity="application",
                        entity_id=aid,
                        application_id=aid,
                        action="notify",
                        from_state="decided",
                        to_state="notified",
                        created_at=filed + timedelta(days=file["notified_after"]),
                    )
                )
            communes = current_codes(file["territory"])
            expected["funded"] += funded
            expected["actions"] += len(communes) if funded else 0
            expected["unlocated"] += not communes
    return expected
