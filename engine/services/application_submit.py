"""Submitting an application: its evaluation by the rules, the first proposals, the override."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from engine.access import Actor, require_holder
from engine.audit import authorise, transition
from engine.clock import now, paris_date
from engine.db import Database
from engine.errors import Conflict
from engine.models import Application, Share
from engine.notify.outbox import notify_holder
from engine.reads import ApplicationRead, read_application
from engine.rulebook import Evaluation, default_registry, evaluate
from engine.services.application_access import EDITABLE, joined_kinds, load
from engine.services.calls import get_call
from engine.services.common import every_funder
from engine.services.funders import config_of
from engine.services.idempotency import claim, complete, release
from engine.services.renewal import record_facts
from engine.settings import Settings


def _evaluate(
    session: Session,
    application: Application,
    settings: Settings,
    override: bool = False,
    joined: set[str] | None = None,
) -> Evaluation:
    call = get_call(session, application.call_id)
    kinds = sorted(joined_kinds(session, application) if joined is None else joined)
    funders = {f.code: config_of(f) for f in every_funder(session)}
    assert application.submitted_at is not None
    # G4 from the record: what the database knows of the previous grant's report overrides
    # what the holder declared, and is kept in the file's data so that its form shows it.
    # A reference the holder typed in is no record: only the database names the earlier file.
    data = {k: v for k, v in application.data.items() if k != "previous_reference"}
    data.update(record_facts(session, application, call.scheme))
    if data != application.data:
        application.data = data
    return evaluate(
        default_registry(),
        call.scheme,
        {**application.data, "documents": kinds},
        paris_date(application.submitted_at),
        settings.department,
        funders,
        override=override,
    )


def _apply_result(session: Session, application: Application, result: Evaluation) -> None:
    """Store the result and its trace, and let each funder's rules make the first proposal."""
    application.result = result.as_json()
    application.reference_date = result.reference_date
    codes = {f.id: f.code for f in every_funder(session)}
    common_ok = result.status == "eligible" or result.override
    for share in session.exec(select(Share).where(Share.application_id == application.id)):
        outcome = result.shares[codes[share.funder_id]]
        share.eligible = outcome.eligible
        share.failed = list(outcome.failed)
        share.explanation = outcome.message
        if (
            common_ok
            and outcome.eligible
            and outcome.amount is not None
            and share.state
            in (
                "requested",
                "proposed",
            )
        ):
            transition(
                session,
                "share",
                share,
                "propose",
                _system(),
                application_id=application.id,
                data={"amount": str(outcome.amount), "by": "rules"},
            )
            share.proposed = outcome.amount


def _system() -> Actor:
    from engine.access import SYSTEM

    return SYSTEM


def submit_application(
    db: Database, actor: Actor, application_id: int, settings: Settings
) -> ApplicationRead:
    """Run the checks and move the file on; returns the application as it now stands (the
    access checks come first in the transaction, before any state is looked at)."""
    with db.transaction() as session:
        return _submitted(session, actor, application_id, settings)


def submit_once(
    db: Database,
    actor: Actor,
    application_id: int,
    settings: Settings,
    idempotency_key: str | None,
    answer: Callable[[ApplicationRead], dict[str, Any]],
) -> dict[str, Any]:
    """submit_application behind an idempotency key: `answer` is what the caller sends back for
    the submitted application, stored with the change, and a retry with the same key gets it
    again. The same key while the first request is still running is a 409, for a different
    application a 422 (engine/services/idempotency).
    """
    if idempotency_key is None:
        with db.transaction() as session:
            return answer(_submitted(session, actor, application_id, settings))
    _require_holder(db, actor, application_id)
    fingerprint = f"submit:{application_id}"
    stored = claim(db, actor, idempotency_key, fingerprint)
    if stored is not None:
        return stored
    try:
        with db.transaction() as session:
            response = answer(_submitted(session, actor, application_id, settings))
            complete(session, actor, idempotency_key, response)
            return response
    except BaseException:
        release(db, actor, idempotency_key)
        raise


def _require_holder(db: Database, actor: Actor, application_id: int) -> None:
    # Access before anything else, the idempotency key included: whoever may not submit this
    # file gets the GET's 403/404, whatever the file's or the key's state.
    with db.reading() as session:
        require_holder(actor, load(session, application_id, actor))


def _submitted(
    session: Session, actor: Actor, application_id: int, settings: Settings
) -> ApplicationRead:
    application = load(session, application_id, actor)
    require_holder(actor, application)
    _submit(session, actor, application, settings)
    session.flush()
    return read_application(session, application)


def _submit(session: Session, actor: Actor, application: Application, settings: Settings) -> None:
    call = get_call(session, application.call_id)
    moment = now()
    if call.state != "open" or moment >= call.closes_at or moment < call.opens_at:
        # G8: filed before the call's deadline, while the call is open.
        raise Conflict("deadline_passed")
    if application.state not in EDITABLE:
        raise Conflict("wrong_state.edit", state=application.state, trigger="submit")
    application.submitted_at = moment
    joined = joined_kinds(session, application)  # for the rules, then for the receipt
    result = _evaluate(session, application, settings, joined=joined)
    application.eligibility = result.status
    guards = {
        f"rules_{status}": (lambda status=status: result.status == status)
        for status in ("eligible", "incomplete", "ineligible")
    }
    if application.reference is None:
        application.reference = f"{call.scheme.upper()}-{moment.year}-{application.id:05d}"
    transition(
        session,
        "application",
        application,
        "submit",
        actor,
        guards=guards,
        application_id=application.id,
        data={"status": result.status, "failed": result.failed},
    )
    _apply_result(session, application, result)
    from engine.services.documents import missing_documents  # documents imports this module

    notify_holder(
        session,
        application,
        "submission_receipt",
        missing=[kind.label for kind in missing_documents(session, application, joined)],
        link=f"{settings.base_url.rstrip('/')}/dossiers/{application.id}#pieces-section",
    )


def override_eligibility(
    db: Database, actor: Actor, application_id: int, reason: str, settings: Settings
) -> Application:
    with db.transaction() as session:
        application = load(session, application_id, actor)
        authorise("application", "override_eligibility", actor)
        transition(
            session,
            "application",
            application,
            "override_eligibility",
            actor,
            reason=reason,
            application_id=application_id,
        )
        result = _evaluate(session, application, settings, override=True)
        application.eligibility = "eligible"
        application.override_reason = reason
        _apply_result(session, application, result)
        return application
