"""An application's life on the holder's side and the chair's checks: file, edit, submit, …

This module keeps editing, withdrawing and asking for documents; the rest is split by concern
and importable from here: `application_access` (load, EDITABLE), `application_body` (checking
the body), `application_create` (create, copy) and `application_submit` (submit, override).
"""

from __future__ import annotations

from typing import Any

from engine.access import Actor, require_holder
from engine.audit import authorise, record, transition
from engine.db import Database
from engine.errors import Conflict
from engine.models import Application
from engine.notify.outbox import notify_holder
from engine.rulebook.text import require_text
from engine.services.application_access import EDITABLE, load
from engine.services.application_body import sync_shares, validate
from engine.services.application_create import copy_application, create_application
from engine.services.application_submit import override_eligibility, submit_application, submit_once
from engine.services.calls import get_call
from engine.services.common import check_version

__all__ = [
    "EDITABLE",
    "copy_application",
    "create_application",
    "load",
    "override_eligibility",
    "request_documents",
    "submit_application",
    "submit_once",
    "update_application",
    "withdraw_application",
]


def update_application(
    db: Database,
    actor: Actor,
    application_id: int,
    *,
    title: str | None = None,
    raw: Any = None,
    if_match: int | None = None,
) -> Application:
    with db.transaction() as session:
        application = load(session, application_id, actor)
        require_holder(actor, application)
        require_text({"title": title})
        check_version(application, if_match)
        if application.state not in EDITABLE:
            raise Conflict("wrong_state.edit", state=application.state, trigger="edit")
        changed = []
        if title is not None:
            application.title = title
            changed.append("title")
        if raw is not None:
            call = get_call(session, application.call_id)
            application.data = validate(call, raw, session)
            sync_shares(session, application)
            changed.append("application")
        record(
            session,
            "application",
            application_id,
            "update",
            actor,
            application_id=application_id,
            data={"changed": changed},
        )
        session.flush()
        return application


def withdraw_application(
    db: Database, actor: Actor, application_id: int, reason: str | None = None
) -> Application:
    with db.transaction() as session:
        application = load(session, application_id, actor)
        require_holder(actor, application)
        transition(
            session,
            "application",
            application,
            "withdraw",
            actor,
            reason=reason,
            application_id=application_id,
        )
        return application


def request_documents(db: Database, actor: Actor, application_id: int, reason: str) -> Application:
    with db.transaction() as session:
        application = load(session, application_id, actor)
        authorise("application", "request_documents", actor)
        transition(
            session,
            "application",
            application,
            "request_documents",
            actor,
            reason=reason,
            application_id=application_id,
        )
        application.eligibility = "incomplete"
        notify_holder(session, application, "documents_requested", reason=reason)
        return application
