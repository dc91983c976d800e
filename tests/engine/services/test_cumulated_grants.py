"""The convention rule's figures (DESIGN §10) read for many files at once: what a funder granted
to an organisation for actions starting in a year, over all its files, whatever else is granted."""

from __future__ import annotations

import copy
from decimal import Decimal

from sqlmodel import Session, select

from engine.db import Database
from engine.models import Agreement, Application, Funder, Organisation, Share
from engine.services.agreements import CumulatedGrants

D = Decimal


def _file(session: Session, like: Application, organisation: int, start: str | None) -> Application:
    data = copy.deepcopy(like.data)
    if start is None:
        data.pop("period", None)
    else:
        data["period"] = {"start": start, "end": start[:4] + "-12-31"}
    application = Application(
        call_id=like.call_id,
        organisation_id=organisation,
        created_by=like.created_by,
        title=f"Action {start}",
        data=data,
        state="notified",
    )
    session.add(application)
    session.flush()
    return application


def test_grants_are_summed_per_funder_organisation_and_year_of_the_action(
    db: Database, draft_application: int
) -> None:
    with db.transaction() as session:
        like = session.get(Application, draft_application)
        assert like is not None
        funders = {f.code: f.id or 0 for f in session.exec(select(Funder))}
        other = Organisation(name="Maison ouverte")
        session.add(other)
        session.flush()
        mine, theirs = like.organisation_id, other.id or 0
        grants = [
            (mine, "2026-03-01", "caf", "granted", "12000.00"),
            (mine, "2026-09-01", "caf", "granted", "11000.50"),
            (mine, "2026-05-01", "caf", "refused", None),  # refused: nothing granted
            (mine, "2026-05-01", "departement", "granted", "500.00"),  # another funder
            (mine, "2027-01-15", "caf", "granted", "9000.00"),  # another year
            (mine, None, "caf", "granted", "7.00"),  # no period: no year
            (theirs, "2026-03-01", "caf", "granted", "3000.00"),  # another organisation
        ]
        for organisation, start, funder, state, amount in grants:
            application = _file(session, like, organisation, start)
            session.add(
                Share(
                    application_id=application.id or 0,
                    funder_id=funders[funder],
                    requested=D("20000.00"),
                    state=state,
                    granted=None if amount is None else D(amount),
                )
            )
        first = _file(session, like, mine, "2026-02-01")
        share = Share(
            application_id=first.id or 0,
            funder_id=funders["caf"],
            requested=D("1.00"),
            state="granted",
            granted=D("1.00"),
        )
        session.add(share)
        session.flush()
        session.add(
            Agreement(
                share_id=share.id or 0,
                application_id=first.id or 0,
                funder_id=funders["caf"],
                kind="convention",
                state="in_force",
                amount=D("1.00"),
                year=2026,
                cumulated=D("1.00"),
            )
        )

    with db.reading() as session:
        grants_read = CumulatedGrants(session)
        grants_read.load([mine, theirs])
        caf, departement = funders["caf"], funders["departement"]
        assert grants_read.total(caf, mine, 2026) == D("23001.50")
        assert grants_read.total(caf, mine, 2027) == D("9000.00")
        assert grants_read.total(departement, mine, 2026) == D("500.00")
        assert grants_read.total(caf, theirs, 2026) == D("3000.00")
        assert grants_read.total(funders["msa"], mine, 2026) == D("0")
        # One question at a time, nothing read beforehand, gives the same figures.
        assert CumulatedGrants(session).total(caf, mine, 2026) == D("23001.50")
        assert grants_read.opened(first.id or 0) == {share.id: "convention"}
        assert grants_read.opened(draft_application) == {}
