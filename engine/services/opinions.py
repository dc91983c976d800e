"""Members' opinions on their funder's share of a file, given before the session (DESIGN §12):
favourable, reserved or unfavourable, with a comment. One per member and share, updatable
until the file's session opens; read beside the plan in session, in the pack and the minutes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from engine.access import Actor, require_funder_member
from engine.audit import record
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict, Forbidden
from engine.models import AgendaItem, Funder, Meeting, Opinion, Share, User
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services.application_access import load
from engine.services.common import funder_by_code, member_with_funder, share_of
from engine.services.meetings import agenda_of, visible_session
from workflows.application import APPLICATION

OPINIONS = {"favourable": "Favorable", "reserved": "Réservé", "unfavourable": "Défavorable"}
COMMENT_MAX = 2000
# An opinion prepares the session: from submission until the file is decided.
OPEN_TO_OPINIONS = APPLICATION.tagged("schedulable") | APPLICATION.tagged("in_session")


@dataclass(frozen=True)
class OpinionLine:
    """One member's opinion as the pages, the pack and the minutes print it."""

    application_id: int
    funder: str
    funder_name: str
    user_id: int
    user: str
    user_name: str
    opinion: str
    label: str
    comment: str | None
    at: datetime

    @property
    def who(self) -> str:
        """« Marie Durand (Caf de l'Isère) »: the funder is not repeated when the member's
        name already carries it."""
        return member_with_funder(self.user_name, self.funder_name)


def _check_input(opinion: str, comment: str | None) -> None:
    errors: list[FieldError] = []
    if opinion not in OPINIONS:
        errors.append(FieldError("opinion", "not_a_choice"))
    if comment is not None and len(comment) > COMMENT_MAX:
        errors.append(FieldError("comment", "too_long", max_length=COMMENT_MAX))
    if errors:
        raise InvalidInput(errors)
    require_text({}, multiline={"comment": comment})


def _session_opened(session: Session, application_id: int) -> bool:
    """Whether a session holding the file on its agenda is open: the debate has begun."""
    query = (
        select(Meeting.id)
        .join(AgendaItem, col(AgendaItem.session_id) == col(Meeting.id))
        .where(AgendaItem.application_id == application_id, Meeting.state == "open")
    )
    return session.exec(query).first() is not None


def give_opinion(
    db: Database,
    actor: Actor,
    application_id: int,
    funder_code: str,
    opinion: str,
    comment: str | None,
) -> tuple[Opinion, bool]:
    """Give (or replace) the actor's opinion on its funder's share; the second value says
    whether it is new (201) rather than an update (200)."""
    with db.transaction() as session:
        # Access before state: the file as its GET shows it, a member of that funder; then the
        # input, then whether the session has begun.
        application = load(session, application_id, actor)
        require_text({"funder": funder_code})
        funder = funder_by_code(session, funder_code)
        assert funder.id is not None and actor.id is not None
        require_funder_member(actor, funder.id)
        share = share_of(session, application_id, funder.id)
        _check_input(opinion, comment)
        if application.state not in OPEN_TO_OPINIONS:
            raise Conflict("wrong_state.opinion", state=application.state)
        if _session_opened(session, application_id):
            raise Conflict("wrong_state.opinion_session")
        row = session.exec(
            select(Opinion).where(
                Opinion.application_id == application_id,
                Opinion.funder_id == funder.id,
                Opinion.user_id == actor.id,
            )
        ).first()
        created = row is None
        data: dict[str, str | None] = {
            "funder": funder.code,
            "opinion": opinion,
            "comment": comment,
        }
        if row is None:
            row = Opinion(
                application_id=application_id, funder_id=funder.id, user_id=actor.id, opinion=""
            )
        else:
            data["previous"] = row.opinion
        row.opinion = opinion
        row.comment = (comment.strip() or None) if comment is not None else None
        row.at = now()
        session.add(row)
        assert share.id is not None
        record(
            session,
            "share",
            share.id,
            "opinion",
            actor,
            application_id=application_id,
            data=data,
        )
        session.flush()
        return row, created


def opinions_of(session: Session, application_ids: Iterable[int]) -> dict[int, list[OpinionLine]]:
    """The opinions given on each file, by funder then member name (files without any are
    absent from the answer)."""
    ids = list(application_ids)
    if not ids:
        return {}
    query = (
        select(Opinion, Funder, User)
        .join(Funder, col(Funder.id) == col(Opinion.funder_id))
        .join(User, col(User.id) == col(Opinion.user_id))
        .where(col(Opinion.application_id).in_(ids))
        .order_by(col(Opinion.application_id), col(Funder.name), col(User.name))
    )
    found: dict[int, list[OpinionLine]] = {}
    for row, funder, user in session.exec(query):
        found.setdefault(row.application_id, []).append(
            OpinionLine(
                application_id=row.application_id,
                funder=funder.code,
                funder_name=funder.name,
                user_id=row.user_id,
                user=user.username,
                user_name=user.name,
                opinion=row.opinion,
                label=OPINIONS.get(row.opinion, row.opinion),
                comment=row.comment,
                at=row.at,
            )
        )
    return found


def application_opinions(db: Database, actor: Actor, application_id: int) -> list[OpinionLine]:
    """The opinions on one file, for the committee (staff and the funders who see the file):
    they prepare its deliberation and are not the holder's to read."""
    with db.reading() as session:
        load(session, application_id, actor)
        if actor.role == "applicant":
            raise Forbidden("forbidden.staff_and_funders")
        return opinions_of(session, [application_id]).get(application_id, [])


def opinion_sentence(line: OpinionLine) -> str:
    """« Marie Durand (Caf de l'Isère) : favorable. Projet solide. » (pack and minutes)."""
    text = f"{line.who} : {line.label.lower()}."
    return f"{text} {line.comment}" if line.comment else text


def opinions_open(db: Database, actor: Actor, application_id: int) -> bool:
    """Whether the actor may give (or change) its opinion on the file now: a member of a funder
    the file asks, before the file's session opens (the pages show the form only then)."""
    if actor.role != "funder" or actor.funder_id is None:
        return False
    with db.reading() as session:
        application = load(session, application_id, actor)
        asked = session.exec(
            select(Share.id).where(
                Share.application_id == application_id, Share.funder_id == actor.funder_id
            )
        ).first()
        return (
            asked is not None
            and application.state in OPEN_TO_OPINIONS
            and not _session_opened(session, application_id)
        )


def session_opinions(db: Database, actor: Actor, session_id: int) -> dict[int, list[OpinionLine]]:
    """The opinions on each file of a session's agenda, for whoever sees the session."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        return opinions_of(session, [a.id or 0 for a in agenda_of(session, meeting)])
