"""The conflicts of interest nobody needs to declare: found from who the holder is.

A funder of the plan whose SIRET is the holder's own (a commune funding its own social
centre's action) is judge and party: every member of that funder is conflicted on the file. A
member who belongs to the holder organisation is conflicted on that file, alone. Computed from
the rows each time it is asked (so they show before anyone records them), and stored once the
session opens, when the agenda is fixed and decisions begin (`record_automatic`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from engine.access import SYSTEM
from engine.audit import record
from engine.models import (
    Application,
    Funder,
    InterestDeclaration,
    Meeting,
    Organisation,
    Share,
    User,
)
from engine.services.identity import compact
from engine.services.meetings import agenda_of, funder_ids_of

AUTOMATIC = "automatic"


@dataclass(frozen=True)
class Found:
    """A member conflicted on a file of the agenda, and why (a French sentence)."""

    application_id: int
    user_id: int
    reason: str


def members_of(session: Session, funder_ids: set[int]) -> list[User]:
    """The active members of these funders, the people who decide their shares."""
    query = select(User).where(
        User.role == "funder", col(User.active), col(User.funder_id).in_(list(funder_ids))
    )
    return list(session.exec(query.order_by(col(User.id))))


def _sirets(organisation: Organisation | None, application: Application) -> set[str]:
    """The SIRET the holder filed with the application and the one of its profile."""
    found = set()
    holder = application.data.get("holder")
    filed = holder.get("siret") if isinstance(holder, dict) else None
    for siret in (organisation.siret if organisation else None, filed):
        if isinstance(siret, str) and compact(siret):
            found.add(compact(siret))
    return found


def automatic_conflicts(
    session: Session, meeting: Meeting, applications: list[Application] | None = None
) -> list[Found]:
    """Every automatic conflict on the session's agenda (or on `applications` of it), in agenda
    order. A few queries whatever the agenda's length: a decision asks it for its file, the
    close for a 500-file agenda."""
    taking_part = funder_ids_of(session, meeting)
    members = members_of(session, taking_part)
    funders = {f.id: f for f in session.exec(select(Funder))}
    agenda = (
        agenda_of(session, meeting, with_result=False) if applications is None else applications
    )
    ids = [a.id for a in agenda]
    organisations = {
        o.id: o
        for o in session.exec(
            select(Organisation).where(
                col(Organisation.id).in_(list({a.organisation_id for a in agenda}))
            )
        )
    }
    shares: dict[int | None, list[Share]] = {i: [] for i in ids}
    for share in session.exec(select(Share).where(col(Share.application_id).in_(ids))):
        shares[share.application_id].append(share)
    found: dict[tuple[int, int], Found] = {}
    for application in agenda:
        assert application.id is not None
        organisation = organisations.get(application.organisation_id)
        sirets = _sirets(organisation, application)
        for share in sorted(shares[application.id], key=lambda s: s.id or 0):
            funder = funders[share.funder_id]
            # The column comes with the agreements (migration 0014): absent before, no match.
            siret = getattr(funder, "siret", None)
            if not (isinstance(siret, str) and compact(siret) in sirets):
                continue
            reason = (
                f"La structure porteuse est {funder.name} lui-même (même numéro SIRET) : "
                "ses membres ne prennent pas part à la décision."
            )
            for user in members:
                if user.funder_id == funder.id and user.id is not None:
                    _add(found, application.id, user.id, reason)
        for user in members:
            if user.organisation_id == application.organisation_id and user.id is not None:
                name = organisation.name if organisation else ""
                reason = f"Membre de la structure porteuse ({name})."
                _add(found, application.id, user.id, reason)
    return list(found.values())


def _add(found: dict[tuple[int, int], Found], application_id: int, user_id: int, why: str) -> None:
    """The first reason found for a member on a file is the one kept."""
    found.setdefault((application_id, user_id), Found(application_id, user_id, why))


def record_automatic(session: Session, meeting: Meeting) -> None:
    """Store the automatic conflicts not stored yet (idempotent), each with its event."""
    stored = {
        (row.application_id, row.user_id)
        for row in session.exec(
            select(InterestDeclaration).where(InterestDeclaration.session_id == meeting.id)
        )
    }
    assert meeting.id is not None
    for item in automatic_conflicts(session, meeting):
        if (item.application_id, item.user_id) in stored:
            continue
        session.add(
            InterestDeclaration(
                session_id=meeting.id,
                application_id=item.application_id,
                user_id=item.user_id,
                reason=item.reason,
                source=AUTOMATIC,
            )
        )
        record(
            session,
            "session",
            meeting.id,
            "declare_conflict",
            SYSTEM,
            reason=item.reason,
            # Off the file's trail, as a declared one (engine/services/conflicts.py).
            data={"application": item.application_id, "user_id": item.user_id, "source": AUTOMATIC},
        )
    session.flush()
