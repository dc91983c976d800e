"""Agreements: one per granted share, opened when the application is notified (DESIGN §10).

The kind follows the law, not the share: a convention is due when everything the funder granted
to the same organisation for the civil year of the action's start adds up to more than
`convention.threshold` (loi n° 2000-321 art. 10), whatever the application those grants belong
to; otherwise the decision letter is the act and the agreement, a notification, is in force at
once. The money starts to flow (engine/services/payments.py) only once an agreement is in force.

`open_agreements` and `agreements_of` run inside the caller's transaction; signing and
countersigning are use cases of engine/services/agreement_signing.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from engine.access import Actor
from engine.audit import record
from engine.blobs import new_blob
from engine.documents.convention import convention
from engine.models import Agreement, Application, Funder, Share
from engine.rulebook import default_registry
from engine.rulebook.money import ZERO
from engine.services import follow_up_emails, payments
from engine.services.convention_content import convention_text
from workflows.agreement import AGREEMENT

IN_FORCE = AGREEMENT.tagged("in_force")


def action_start(application: Application) -> date:
    """The first day of the action (the application's period), which dates the agreement."""
    return date.fromisoformat(str(application.data["period"]["start"]))


def threshold_on(on: date) -> Decimal:
    value = default_registry().parameters["convention.threshold"].at(on).value
    assert isinstance(value, Decimal)
    return value


class CumulatedGrants:
    """The cumulated rule's figures: what each funder granted to an organisation for actions
    starting in a year, over every application. Read once per organisation: a close's letters
    and minutes ask them for every granted share of hundreds of files. Valid while nothing is
    granted meanwhile, i.e. inside one reading transaction, or for one file's agreements."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._totals: dict[int, dict[tuple[int, str], Decimal]] = {}
        self._opened: dict[int, dict[int | None, str]] = {}

    @classmethod
    def for_files(cls, session: Session, applications: Iterable[Application]) -> CumulatedGrants:
        """The figures of these files' organisations and the agreements opened for them, read
        now in two statements."""
        files = list(applications)
        grants = cls(session)
        grants.load(a.organisation_id for a in files)
        grants.load_opened(a.id or 0 for a in files)
        return grants

    def load(self, organisation_ids: Iterable[int]) -> None:
        """Read the granted shares of these organisations, in one statement."""
        missing = _unread(organisation_ids, self._totals)
        if not missing:
            return
        # Only the start of the period is read out of the application's JSON body, the same
        # way on SQLite and PostgreSQL (the year is then cut here).
        start = Application.__table__.c.data[("period", "start")].as_string()  # type: ignore[attr-defined]
        rows = self.session.execute(
            select(
                col(Share.funder_id), col(Application.organisation_id), col(Share.granted), start
            )
            .join(Application, col(Application.id) == col(Share.application_id))
            .where(Share.state == "granted", col(Application.organisation_id).in_(missing))
        )
        for funder_id, organisation_id, granted, started in rows:
            if granted is None:
                continue
            totals = self._totals[organisation_id]
            key = (funder_id, str(started or "")[:4])
            totals[key] = totals.get(key, ZERO) + granted

    def total(self, funder_id: int, organisation_id: int, year: int) -> Decimal:
        self.load([organisation_id])
        return self._totals[organisation_id].get((funder_id, f"{year:04d}"), ZERO)

    def load_opened(self, application_ids: Iterable[int]) -> None:
        """Read the agreements already opened for these files, in one statement."""
        missing = _unread(application_ids, self._opened)
        if not missing:
            return
        query = (
            select(Agreement)
            .where(col(Agreement.application_id).in_(missing))
            .order_by(col(Agreement.id))
        )
        for agreement in self.session.exec(query):
            self._opened[agreement.application_id][agreement.share_id] = agreement.kind

    def opened(self, application_id: int) -> dict[int | None, str]:
        """The kind of each agreement already opened for the file, by share id."""
        self.load_opened([application_id])
        return self._opened[application_id]


def _unread(keys: Iterable[int], read: dict[int, dict[Any, Any]]) -> list[int]:
    """The keys not in `read` yet, each given an empty entry there (read now, found or not)."""
    missing = sorted({key for key in keys if key not in read})
    for key in missing:
        read[key] = {}
    return missing


def agreement_kind(cumulated: Decimal, threshold: Decimal) -> str:
    """`convention` when the funder's cumulated grants to the organisation for the year pass
    the threshold, else `notification`: the one rule the agreements and the letters follow."""
    return "convention" if cumulated > threshold else "notification"


def convention_funders(
    session: Session,
    application: Application,
    shares: list[Share],
    codes: dict[int, str],
    grants: CumulatedGrants | None = None,
) -> list[str]:
    """The codes of the funders (`codes`: id → code) whose granted share of `application`
    calls for a convention under the cumulated rule, sorted: what the decision letter and the
    minutes announce, exactly what `open_agreements` opens. A share already bound keeps its
    agreement's kind (a letter drawn again later says what was opened, whatever was granted
    since). `grants`, when given, holds the figures read for many files at once."""
    assert application.id is not None
    grants = grants or CumulatedGrants(session)
    opened = grants.opened(application.id)
    start = action_start(application)
    limit = threshold_on(start)

    def kind(share: Share) -> str:
        if share.id in opened:
            return opened[share.id]
        cumulated = grants.total(share.funder_id, application.organisation_id, start.year)
        return agreement_kind(cumulated, limit)

    granted = [s for s in shares if s.state == "granted" and s.granted]
    return sorted(codes[s.funder_id] for s in granted if kind(s) == "convention")


def agreements_of(session: Session, application_id: int) -> list[Agreement]:
    query = (
        select(Agreement)
        .where(Agreement.application_id == application_id)
        .order_by(col(Agreement.id))
    )
    return list(session.exec(query))


def open_agreements(session: Session, application: Application, actor: Actor) -> list[Agreement]:
    """One agreement per granted share not yet bound (a replay adds nothing); the conventions'
    PDFs are drawn up now, the notifications come into force at once with their payments."""
    assert application.id is not None
    bound = {a.share_id for a in agreements_of(session, application.id)}
    shares = session.exec(
        select(Share)
        .where(Share.application_id == application.id, Share.state == "granted")
        .order_by(col(Share.id))
    )
    start = action_start(application)
    limit = threshold_on(start)
    grants = CumulatedGrants(session)
    opened = []
    for share in shares:
        if share.id in bound or not share.granted:
            continue
        funder = session.get(Funder, share.funder_id)
        assert funder is not None and share.id is not None
        cumulated = grants.total(share.funder_id, application.organisation_id, start.year)
        kind = agreement_kind(cumulated, limit)
        agreement = Agreement(
            share_id=share.id,
            application_id=application.id,
            funder_id=share.funder_id,
            kind=kind,
            state=AGREEMENT.initial if kind == "convention" else "in_force",
            amount=share.granted,
            year=start.year,
            cumulated=cumulated,
        )
        if kind == "convention":
            text = convention_text(session, application, share, funder, cumulated, limit)
            blob = new_blob(session, convention(text))
            session.flush()
            agreement.blob_id = blob.id
        session.add(agreement)
        session.flush()
        assert agreement.id is not None
        record(
            session,
            "agreement",
            agreement.id,
            "agreement_open",
            actor,
            to_state=agreement.state,
            application_id=application.id,
            data={
                "kind": kind,
                "funder": funder.code,
                "amount": str(agreement.amount),
                "cumulated": str(cumulated),
                "threshold": str(limit),
                "year": start.year,
            },
        )
        if agreement.state in IN_FORCE:
            payments.open_payments(session, share, agreement, actor)
        else:
            follow_up_emails.convention_to_sign(session, application, funder, agreement)
        opened.append(agreement)
    return opened
