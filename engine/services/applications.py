"""An application's life on the holder's side and the chair's checks: file, edit, submit, …"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from engine.access import Actor, can_see_application, require_holder, require_role
from engine.audit import authorise, record, transition
from engine.clock import now, paris_date
from engine.db import Database
from engine.errors import Conflict, Forbidden, NotFound
from engine.models import Application, Call, Document, Funder, Share
from engine.notify.outbox import notify_holder
from engine.reads import ApplicationRead, read_application
from engine.rulebook import Evaluation, FieldError, InvalidInput, default_registry, evaluate
from engine.rulebook.application import parse_application
from engine.rulebook.text import require_text
from engine.services.calls import envelopes_of, get_call
from engine.services.funders import config_of
from engine.services.idempotency import claim, complete, release
from engine.settings import Settings
from workflows.application import APPLICATION

EDITABLE = APPLICATION.tagged("editable")


def _validate(call: Call, raw: Any, session: Session) -> dict[str, Any]:
    """Check the application body against the scheme; return it in its stored JSON form."""
    if not isinstance(raw, dict):
        raise InvalidInput([FieldError("application", "not_an_object")])
    if "documents" in raw:
        raise InvalidInput([FieldError("application.documents", "documents_declared")])
    scheme = default_registry().schemes[call.scheme]
    parsed, facts = parse_application({**raw, "documents": []}, scheme.facts)
    funders = {f.id: f.code for f in session.exec(select(Funder))}
    taking_part = {funders[fid] for fid in envelopes_of(session, call.id or 0)}
    unknown = [code for code in parsed.requests if code not in taking_part]
    if unknown:
        raise InvalidInput(
            [FieldError(f"application.requests.{code}", "funder_not_in_call") for code in unknown]
        )
    stored = parsed.model_dump(mode="json", exclude={"documents"})
    stored["facts"] = facts.model_dump(mode="json")
    return stored


def _sync_shares(session: Session, application: Application) -> None:
    codes = {f.code: f.id for f in session.exec(select(Funder))}
    wanted = {codes[c] or 0: Decimal(a) for c, a in application.data["requests"].items()}
    existing = {
        s.funder_id: s
        for s in session.exec(select(Share).where(Share.application_id == application.id))
    }
    for funder_id, share in existing.items():
        if funder_id not in wanted:
            session.delete(share)
        elif share.requested != wanted[funder_id]:
            share.requested = wanted[funder_id]
    for funder_id, amount in wanted.items():
        if funder_id not in existing:
            assert application.id is not None and funder_id is not None
            session.add(Share(application_id=application.id, funder_id=funder_id, requested=amount))


def load(session: Session, application_id: int, actor: Actor) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("not_found.application", id=application_id)
    funder_ids = session.exec(select(Share.funder_id).where(Share.application_id == application_id))
    if not can_see_application(actor, application, funder_ids):
        raise Forbidden("forbidden.not_yours")
    return application


def check_version(application: Application, if_match: int | None) -> None:
    if if_match is not None and if_match != application.version:
        raise Conflict("stale_version", yours=if_match, version=application.version)


def create_application(
    db: Database, actor: Actor, call_id: int, title: str, raw: Any
) -> Application:
    require_role(actor, "applicant")
    require_text({"title": title})
    with db.transaction() as session:
        call = session.get(Call, call_id)
        if call is None:
            raise InvalidInput([FieldError("call_id", "unknown_call", id=call_id)])

        assert actor.organisation_id is not None
        application = Application(
            call_id=call_id,
            organisation_id=actor.organisation_id,
            created_by=actor.id or 0,
            title=title,
            data=_validate(call, raw, session),
        )
        session.add(application)
        session.flush()
        _sync_shares(session, application)
        assert application.id is not None
        record(
            session,
            "application",
            application.id,
            "create",
            actor,
            to_state="draft",
            application_id=application.id,
        )
        return application


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
            application.data = _validate(call, raw, session)
            _sync_shares(session, application)
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


def _evaluate(
    session: Session, application: Application, settings: Settings, override: bool = False
) -> Evaluation:
    call = get_call(session, application.call_id)
    kinds = sorted(
        set(session.exec(select(Document.kind).where(Document.application_id == application.id)))
    )
    funders = {f.code: config_of(f) for f in session.exec(select(Funder))}
    assert application.submitted_at is not None
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
    codes = {f.id: f.code for f in session.exec(select(Funder))}
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
    """Run the checks and move the file on; returns the application as it now stands."""
    _require_holder(db, actor, application_id)
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
    result = _evaluate(session, application, settings)
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
    notify_holder(session, application, "submission_receipt")


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
