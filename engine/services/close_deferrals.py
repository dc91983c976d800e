"""What the close defers by itself, with the reason the minutes and the letters print: the
undecided share of a funder neither present nor represented (nobody could decide it), and the
share whose every present member of the funder is conflicted on the file (nobody may decide
it, engine/services/conflicts.py). The file is then deferred like any file with a deferred
share, and comes back at a later session."""

from __future__ import annotations

from sqlmodel import Session, col, select

from engine.access import SYSTEM, Actor
from engine.audit import transition
from engine.clock import now
from engine.db import Database
from engine.models import Funder, Meeting, Share
from engine.services import attendance, conflicts
from engine.services.meetings import agenda_of, visible_session

DECIDED = ("granted", "refused", "deferred")  # as engine.services.decisions says


def deferrals(session: Session, meeting: Meeting) -> list[tuple[Share, str]]:
    """The undecided shares of the eligible files of the agenda the close defers, each with
    its French reason; in agenda order, absent funders first."""
    present = attendance.present_funder_ids(session, meeting)
    names = {f.id: f.name for f in session.exec(select(Funder))}
    order = {
        a.id: i
        for i, a in enumerate(agenda_of(session, meeting, with_result=False))
        if a.eligibility == "eligible"
    }
    # One query for the whole agenda: a close may hold hundreds of files (bench/closing.py).
    query = select(Share).where(
        col(Share.application_id).in_(list(order)),
        col(Share.state).not_in(DECIDED),
        col(Share.funder_id).not_in(list(present)),
    )
    shares = sorted(session.exec(query), key=lambda s: (order[s.application_id], s.id or 0))
    found = [
        (
            share,
            f"{names.get(share.funder_id, '')} n'était ni présent ni représenté à la séance : "
            "la part est ajournée à une prochaine séance.",
        )
        for share in shares
    ]
    taken = {share.id for share, _ in found}
    found += [
        (share, reason)
        for share, reason in conflicts.fully_conflicted_shares(session, meeting)
        if share.id not in taken
    ]
    return found


def defer_at_close(session: Session, meeting: Meeting) -> int:
    """Defer them, in the close's transaction (the system acts; each event keeps the reason)."""
    deferred = deferrals(session, meeting)
    for share, reason in deferred:
        transition(
            session,
            "share",
            share,
            "defer_at_close",
            SYSTEM,
            reason=reason,
            application_id=share.application_id,
            data={"session": meeting.id},
        )
        share.granted = None
        share.conditions = reason  # what the minutes and the letters print as the reason
        share.session_id = meeting.id
        share.decided_by = None
        share.decided_at = now()
    session.flush()
    return len(deferred)


def deferred_later(session: Session, meeting: Meeting) -> dict[tuple[int, int], str]:
    """(application id, funder id) → reason, of the shares the close will defer: what the
    chair need not decide (the close page lists them apart)."""
    if meeting.state != "open":
        return {}
    return {(s.application_id, s.funder_id): why for s, why in deferrals(session, meeting)}


def shown_before_close(db: Database, actor: Actor, session_id: int) -> list[tuple[int, str, str]]:
    """(application id, reference, reason) of what the close will defer, for the session
    screen while the session is open."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        if meeting.state != "open":
            return []
        references = {
            a.id: a.reference or str(a.id) for a in agenda_of(session, meeting, with_result=False)
        }
        return [
            (share.application_id, references[share.application_id], reason)
            for share, reason in deferrals(session, meeting)
        ]
