"""A session's agenda and its convocations: the agenda changes while the session is planned or
convened; once convened, every change re-sends an amended convocation saying what changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, func, select

from engine.access import Actor, require_role
from engine.audit import record, transition
from engine.db import Database
from engine.errors import Conflict
from engine.models import AgendaItem, Application, Meeting, ProductionJob
from engine.rulebook import FieldError, InvalidInput
from engine.services import production
from engine.services.common import check_version
from engine.services.meetings import (
    agenda_of,
    call_ids_of,
    recipients,
    visible_session,
)
from engine.settings import Settings
from workflows.application import APPLICATION

SCHEDULABLE = APPLICATION.tagged("schedulable")


def was(application: Application) -> dict[str, Any]:
    return {
        "was_eligible": lambda: application.eligibility == "eligible",
        "was_ineligible": lambda: application.eligibility != "eligible",
    }


def _label(application: Application) -> str:
    return f"{application.reference or application.id} — {application.title}"


def set_agenda(
    db: Database,
    actor: Actor,
    session_id: int,
    application_ids: list[int],
    if_match: int | None = None,
    settings: Settings | None = None,
) -> Meeting:
    """The agenda, in order; once convened, a change re-sends an amended convocation, produced
    right after the commit when `settings` are given (else by the scheduler's worker)."""
    with db.transaction() as session:
        # Access first (as the GET, then the chair's role), the version and the state after.
        meeting = visible_session(session, actor, session_id)
        require_role(actor, "chair")
        if len(set(application_ids)) != len(application_ids):
            raise InvalidInput([FieldError("application_ids", "listed_twice")])
        check_version(meeting, if_match)
        if meeting.state not in ("planned", "convened"):
            raise Conflict("wrong_state.agenda_fixed", state=meeting.state)
        calls = set(call_ids_of(session, meeting))
        current = {
            i.application_id: i
            for i in session.exec(select(AgendaItem).where(AgendaItem.session_id == session_id))
        }
        changes: list[str] = []
        for app_id, item in current.items():
            if app_id not in application_ids:
                application = session.get(Application, app_id)
                assert application is not None
                transition(
                    session,
                    "application",
                    application,
                    "unschedule",
                    actor,
                    guards=was(application),
                    application_id=app_id,
                    data={"session": session_id},
                )
                session.delete(item)
                changes.append(f"Dossier retiré de l'ordre du jour : {_label(application)}")
        errors = []
        for position, app_id in enumerate(application_ids):
            application = session.get(Application, app_id)
            field = f"application_ids.{position}"
            if application is None or application.call_id not in calls:
                errors.append(FieldError(field, "not_in_session_call", id=app_id))
                continue
            if app_id in current:
                current[app_id].position = position
                continue
            if application.state not in SCHEDULABLE:
                errors.append(
                    FieldError(field, "not_schedulable", id=app_id, state=application.state)
                )
                continue
            transition(
                session,
                "application",
                application,
                "schedule",
                actor,
                application_id=app_id,
                data={"session": session_id},
            )
            session.add(AgendaItem(session_id=session_id, application_id=app_id, position=position))
            changes.append(f"Dossier inscrit à l'ordre du jour : {_label(application)}")
        if errors:
            raise InvalidInput(errors)
        record(
            session,
            "session",
            session_id,
            "set_agenda",
            actor,
            data={"application_ids": application_ids},
        )
        flag_modified(meeting, "title")  # a new agenda is a new version of the session
        session.flush()
        if meeting.state == "convened" and changes:
            convoke(session, meeting, actor, changes)
    if settings is not None and meeting.state == "convened" and changes:
        production.kick(db, settings)
    return meeting


def convoke(
    session: Session, meeting: Meeting, actor: Actor, changes: list[str] | None = None
) -> None:
    """One convocation per person convened, with the agenda as it is now; `changes` (what
    changed since the last one) makes it an amended convocation, sent again to everyone."""
    agenda = agenda_of(session, meeting)
    if not changes:
        for name, email in recipients(session, meeting):
            production.record_convocation(session, meeting, actor, name, email, agenda)
        return
    sent = session.exec(
        select(func.count())
        .select_from(ProductionJob)
        .where(ProductionJob.session_id == meeting.id, ProductionJob.kind == "convocation")
        .where(col(ProductionJob.key).like(f"convocation:{meeting.id}:amended%"))
    ).one()
    round_ = f"amended{int(sent) + 1}"
    for name, email in recipients(session, meeting):
        session.add(
            ProductionJob(
                key=f"convocation:{meeting.id}:{round_}:{email}"[:200],
                kind="convocation",
                session_id=meeting.id or 0,
                actor_id=actor.id,
                data={
                    "name": name,
                    "email": email,
                    "agenda": [a.id for a in agenda],
                    "changes": changes,
                },
            )
        )
    record(
        session,
        "session",
        meeting.id or 0,
        "amend_convocation",
        actor,
        data={"changes": changes},
    )
