"""Decisions in session and the close: a funder's member decides its share (and may correct it
while the session is open), the chair defers the share of an absent funder, the chair closes
(letters and minutes produced right after it: engine/services/production)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from engine.access import SYSTEM, Actor
from engine.audit import authorise, transition
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict
from engine.formatting import format_money
from engine.models import AgendaItem, Application, Funder, Meeting, Share
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services import attendance, close_deferrals, conflicts, production
from engine.services.common import funder_by_code, share_of
from engine.services.meetings import acting_on, agenda_of, visible_session
from engine.settings import Settings

OUTCOMES = {"granted": "grant", "refused": "refuse", "deferred": "defer"}
DECIDED = ("granted", "refused", "deferred")


@dataclass(frozen=True)
class Undecided:
    """A share the close still waits for."""

    application_id: int
    reference: str
    title: str
    funder: str
    funder_name: str


def decide(
    db: Database,
    actor: Actor,
    session_id: int,
    application_id: int,
    funder_code: str,
    outcome: str,
    amount: Decimal | None,
    conditions: str | None,
    reason: str | None = None,
) -> tuple[Share, bool]:
    """Record a decision on one share; the second value says whether it corrected a decision
    taken earlier in the same session (which it then replaces). The chair may only defer the
    share of an absent funder, with a reason."""
    if outcome not in OUTCOMES:
        raise InvalidInput([FieldError("outcome", "outcome")])
    # The chair may only defer (an absent funder's share): granting or refusing is refused
    # to its role (403), as the workflow says.
    by_chair = actor.role == "chair" and outcome == "deferred"
    if outcome == "granted" and (amount is None or amount <= 0):
        raise InvalidInput([FieldError("amount", "granted_needs_amount")])
    with db.transaction() as session:
        # Access before state: the session as its GET shows it, a role that may decide a
        # share, a member of that funder; only then the session's and the share's states.
        meeting = visible_session(session, actor, session_id)
        authorise("share", "defer_absent" if by_chair else OUTCOMES[outcome], actor)
        require_text({"funder": funder_code}, multiline={"conditions": conditions})
        if by_chair and not (reason and reason.strip()):
            raise InvalidInput([FieldError("reason", "reason_required")])
        funder = funder_by_code(session, funder_code)
        assert funder.id is not None
        # A member of the funder, or the proxy of one (present, named by a represented member).
        as_proxy = not by_chair and attendance.require_decider(session, meeting, actor, funder)
        if meeting.state != "open":
            raise Conflict("wrong_state.decisions", state=meeting.state)
        if not by_chair:  # a funder neither present nor represented does not decide (409)
            attendance.require_present(session, meeting, funder)
        item = session.exec(
            select(AgendaItem).where(
                AgendaItem.session_id == session_id, AgendaItem.application_id == application_id
            )
        ).first()
        if item is None:
            raise InvalidInput([FieldError("application_id", "not_on_agenda")])
        if not by_chair:  # a member with a conflict of interest takes no part (409)
            conflicts.require_not_conflicted(session, meeting, actor, application_id)
        application = session.get(Application, application_id)
        assert application is not None
        share = share_of(session, application_id, funder.id)
        if application.eligibility != "eligible":
            raise Conflict("ineligible")
        if amount is not None and amount > share.requested:
            raise InvalidInput(
                [FieldError("amount", "above_request", requested=format_money(share.requested))]
            )
        corrected = share.state in DECIDED and share.session_id == session_id
        data: dict[str, Any] = {
            "session": session_id,
            "amount": None if amount is None else str(amount),
            "conditions": conditions,
        }
        if as_proxy:
            data["proxy"] = True
        if by_chair:
            trigger = "defer_absent"
        elif corrected:
            trigger = "correct"
            data["previous"] = {
                "outcome": share.state,
                "amount": None if share.granted is None else str(share.granted),
                "conditions": share.conditions,
            }
        else:
            trigger = OUTCOMES[outcome]
        transition(
            session,
            "share",
            share,
            trigger,
            actor,
            guards={f"to_{dest}": _is(dest, outcome) for dest in DECIDED},
            reason=reason,
            application_id=application_id,
            data=data,
        )
        share.granted = amount if outcome == "granted" else None
        # The chair's reason for deferring is what the minutes and the letter print.
        share.conditions = reason if by_chair else conditions
        share.session_id = session_id
        share.decided_by = actor.id
        share.decided_at = now()
        session.flush()
        return share, corrected


def _is(dest: str, outcome: str) -> Callable[[], bool]:
    return lambda: dest == outcome


def undecided_shares(session: Session, meeting: Meeting) -> list[Undecided]:
    """The shares of the eligible files of the agenda not yet decided in this session."""
    agenda = agenda_of(session, meeting, with_result=False)
    funders = {f.id: f for f in session.exec(select(Funder))}
    by_id = {a.id: a for a in agenda if a.eligibility == "eligible"}
    query = select(Share).where(col(Share.application_id).in_(list(by_id)))
    missing = []
    for share in session.exec(query.order_by(col(Share.id))):
        if share.state in DECIDED:
            continue
        application = by_id[share.application_id]
        funder = funders[share.funder_id]
        missing.append(
            Undecided(
                application.id or 0,
                application.reference or str(application.id),
                application.title,
                funder.code,
                funder.name,
            )
        )
    order = {a.id: i for i, a in enumerate(agenda)}
    return sorted(missing, key=lambda u: order[u.application_id])


def pending_decisions(db: Database, actor: Actor, session_id: int) -> list[Undecided]:
    """What the close waits for: the undecided shares but those it will defer by itself."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        later = close_deferrals.deferred_later(session, meeting)
        ids = {f.code: f.id for f in session.exec(select(Funder))}
        return [
            u
            for u in undecided_shares(session, meeting)
            if (u.application_id, ids[u.funder]) not in later
        ]


def close_session(
    db: Database, actor: Actor, session_id: int, settings: Settings, *, produce: bool = True
) -> Meeting:
    """Defer what nobody could decide (absent or wholly conflicted funders, with the reason:
    engine/services/close_deferrals.py), lock the decisions and refuse ineligible files, in
    one short transaction that also records what must be produced: the letters of each
    decided or deferred file and the minutes. They are rendered, stored and emailed after the commit
    (engine/services/production), right away in a background thread when `produce` (else by
    the scheduler's worker)."""
    with db.transaction() as session:
        # Before anything else: the list of undecided shares below is not for everyone to read.
        meeting = acting_on(session, actor, session_id, "close")
        if meeting.state == "open":  # absent or wholly conflicted funders' shares: deferred
            close_deferrals.defer_at_close(session, meeting)
        agenda = agenda_of(session, meeting, with_result=False)
        missing = undecided_shares(session, meeting)
        if missing:
            raise Conflict(
                "undecided_shares", shares=", ".join(f"{u.reference}/{u.funder}" for u in missing)
            )
        # Every share of the agenda in one query (by id, as the letters list them).
        shares_of: dict[int | None, list[Share]] = {a.id: [] for a in agenda}
        query = select(Share).where(col(Share.application_id).in_(list(shares_of)))
        for share in session.exec(query.order_by(col(Share.id))):
            shares_of[share.application_id].append(share)
        # The common rules the ineligible files failed, read for them alone (the agenda was
        # read without the stored results: their traces are most of a row).
        failed = _failed_rules(session, [a.id for a in agenda if a.eligibility != "eligible"])
        transition(session, "session", meeting, "close", actor)
        meeting.closed_at = now()
        decided = []
        deferred = []
        for application in agenda:
            shares = shares_of[application.id]
            if application.eligibility != "eligible":
                for share in shares:
                    transition(
                        session,
                        "share",
                        share,
                        "refuse_ineligible",
                        SYSTEM,
                        application_id=application.id,
                        data={"session": session_id, "failed": failed.get(application.id, [])},
                    )
                    share.granted = None
                    share.session_id = session_id
            if any(s.state == "deferred" for s in shares):
                transition(
                    session,
                    "application",
                    application,
                    "defer",
                    SYSTEM,
                    application_id=application.id,
                    data={"session": session_id},
                )
                deferred.append(application)
                continue
            transition(
                session,
                "application",
                application,
                "decide",
                SYSTEM,
                application_id=application.id,
                data={"session": session_id},
            )
            decided.append(application)
        # A deferred file gets its letter too: what was decided, what waits and why (§12).
        for application in decided + deferred:
            production.record_letters(session, meeting, application, actor)
        production.record_minutes(session, meeting, actor)
    if produce:
        production.kick(db, settings)
    return meeting


def _failed_rules(session: Session, ids: list[int | None]) -> dict[int | None, list[str]]:
    if not ids:
        return {}
    rows = session.exec(
        select(Application.id, Application.result).where(col(Application.id).in_(ids))
    )
    return {i: list((result or {}).get("failed", [])) for i, result in rows}


def decided_here(db: Database, actor: Actor, session_id: int) -> set[tuple[int, str]]:
    """(application id, funder code) of the shares decided in this session: those a member
    may still correct while it is open."""
    with db.reading() as session:
        visible_session(session, actor, session_id)
        rows = session.exec(
            select(Share.application_id, Funder.code)
            .join(Funder, col(Funder.id) == col(Share.funder_id))
            .where(Share.session_id == session_id, col(Share.state).in_(DECIDED))
        )
        return {(application_id, code) for application_id, code in rows}
