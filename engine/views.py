"""JSON shapes of the resources, as the HTTP API contract (DESIGN §7) gives them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from engine.models import Application, Call, CommitteeSession, Document, Event, Funder, Share
from engine.services.plans import flags_for


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def share_json(share: Share, code: str) -> dict[str, Any]:
    return {
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
    codes = {f.id or 0: f.code for f in session.exec(select(Funder))}
    shares = list(
        session.exec(
            select(Share).where(Share.application_id == application.id).order_by(Share.id)  # type: ignore[arg-type]
        )
    )
    result = application.result
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
    documents = session.exec(select(Document).where(Document.application_id == application.id))
    return {
        "id": application.id,
        "reference": application.reference,
        "call_id": application.call_id,
        "organisation_id": application.organisation_id,
        "title": application.title,
        "state": application.state,
        "version": application.version,
        "application": {**application.data, "documents": sorted({d.kind for d in documents})},
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "eligibility": eligibility,
        "shares": [share_json(s, codes[s.funder_id]) for s in shares],
        "flags": flags_for(application, shares, codes),
        "trace": result["trace"] if result else None,
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
