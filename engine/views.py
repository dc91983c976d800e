"""JSON shapes of the resources, as the HTTP API contract (DESIGN §7) gives them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Text, case, cast, func, or_, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from engine.models import Application, Call, CommitteeSession, Document, Event, Funder, Share
from engine.services.plans import flags_for


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def share_json(share: Share, code: str) -> dict[str, Any]:
    return {
        "id": share.id,
        "funder": code,
        "state": share.state,
        "version": share.version,
        "requested": _money(share.requested),
        "proposed": _money(share.proposed),
        "granted": _money(share.granted),
        "eligible": share.eligible,
        "failed": share.failed,
        "explanation": share.explanation,
        "comment": share.comment,
        "conditions": share.conditions,
    }


def application_json(session: Session, application: Application) -> dict[str, Any]:
    return applications_json(session, [application])[0]


def applications_json(
    session: Session,
    applications: Sequence[Application],
    results: Sequence[dict[str, Any] | None] | None = None,
) -> list[dict[str, Any]]:
    """Several applications in three queries whatever their number (funders, shares, documents).

    `results`, when given, stands for each application's stored rule result (see summaries_json).
    """
    if not applications:
        return []
    ids = [a.id for a in applications]
    codes = {f.id or 0: f.code for f in session.exec(select(Funder))}
    shares: dict[int | None, list[Share]] = {i: [] for i in ids}
    for share in session.exec(
        select(Share).where(col(Share.application_id).in_(ids)).order_by(col(Share.id))
    ):
        shares[share.application_id].append(share)
    kinds: dict[int | None, set[str]] = {i: set() for i in ids}
    for application_id, kind in session.exec(
        select(Document.application_id, Document.kind).where(col(Document.application_id).in_(ids))
    ):
        kinds[application_id].add(kind)
    if results is None:
        results = [a.result for a in applications]
    return [
        _application_json(a, result, shares[a.id], kinds[a.id], codes)
        for a, result in zip(applications, results, strict=True)
    ]


def summaries_json(session: Session, query: SelectOfScalar[Application]) -> list[dict[str, Any]]:
    """The applications of a list page (`query`), as application_json shows them but without
    "trace": their stored rule result is read without its trace and per-funder detail (two
    thirds of its size), which lists never show."""
    light = query.options(defer(Application.result)).add_columns(_result_for_lists(session))  # type: ignore[arg-type]
    rows = session.execute(light).all()  # rows of (application, result): not exec's scalars
    items = applications_json(session, [row[0] for row in rows], [row[1] for row in rows])
    for item in items:
        del item["trace"]
    return items


# JSON escapes that PostgreSQL's jsonb refuses (NUL, lone surrogates) where its json accepts them.
_NOT_JSONB = r"\\u(0000|d[89a-f])"


def _result_for_lists(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        trimmed = cast(cast(Application.result, JSONB).op("-")("trace").op("-")("shares"), JSON)
        # Anything else than an object (JSON null: not submitted yet) and a result holding such
        # an escape are read whole: correct, only not lightened.
        unsafe = or_(
            func.json_typeof(Application.result) != "object",
            cast(Application.result, Text).op("~*")(_NOT_JSONB),
        )
        return type_coerce(case((unsafe, Application.result), else_=trimmed), JSON)
    return type_coerce(func.json_remove(Application.result, "$.trace", "$.shares"), JSON)


def _application_json(
    application: Application,
    result: dict[str, Any] | None,
    shares: list[Share],
    kinds: set[str],
    codes: dict[int, str],
) -> dict[str, Any]:
    eligibility = None
    if result is not None:
        eligibility = {
            "status": application.eligibility,
            "rules_status": result["status"],
            "failed": result["failed"],
            "override": result.get("override", False),
            "override_reason": application.override_reason,
            "results": [
                {"rule": r["rule"], "passed": r["passed"], "message": r["message"]}
                for r in result["results"]
            ],
            "reference_date": result["reference_date"],
        }
    return {
        "id": application.id,
        "reference": application.reference,
        "call_id": application.call_id,
        "organisation_id": application.organisation_id,
        "title": application.title,
        "state": application.state,
        "version": application.version,
        "application": {**application.data, "documents": sorted(kinds)},
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "eligibility": eligibility,
        "shares": [share_json(s, codes[s.funder_id]) for s in shares],
        "flags": flags_for(application, shares, codes),
        "trace": result.get("trace") if result else None,
    }


def call_json(session: Session, call: Call) -> dict[str, Any]:
    from engine.services.plans import envelope_use

    return {
        "id": call.id,
        "scheme": call.scheme,
        "title": call.title,
        "opens_at": call.opens_at.isoformat(),
        "closes_at": call.closes_at.isoformat(),
        "state": call.state,
        "version": call.version,
        "funders": [
            {"funder": u.funder, "envelope": str(u.envelope)}
            for u in envelope_use(session, call.id or 0)
        ],
    }


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "actor_id": event.actor_id,
        "data": event.data,
        "created_at": event.created_at.isoformat(),
    }


def document_json(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "kind": document.kind,
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "created_at": document.created_at.isoformat(),
    }


def session_summary(meeting: CommitteeSession) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "call_id": meeting.call_id,
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "location": meeting.location,
        "state": meeting.state,
        "version": meeting.version,
    }
