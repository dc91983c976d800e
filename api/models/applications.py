"""Applications: filing and editing bodies, the application as shown, its list, its events."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.models.common import Body, Day, Id, MoneyOut, Out, Timestamp
from api.models.plans import PlanFlags
from engine.reads import ApplicationPage, ApplicationRead, EventRead, ShareLine
from engine.rulebook.text import MultilineText, Text
from engine.rulebook.types import Money


class ApplicationIn(Body):
    call_id: Id
    title: Text = Field(min_length=1, max_length=300)
    application: dict[str, Any] = Field(
        description="The application body of the call's scheme (§3 shape, without documents)"
    )


class ApplicationPatch(Body):
    title: Text | None = Field(default=None, min_length=1, max_length=300)
    application: dict[str, Any] | None = None


class ReasonIn(Body):
    reason: MultilineText = Field(min_length=1, max_length=2000)


class OptionalReasonIn(Body):
    reason: MultilineText | None = Field(default=None, max_length=2000)


class ProposalIn(Body):
    amount: Money
    comment: MultilineText | None = Field(default=None, max_length=4000)


class ShareOut(Out):
    """One funder's share of the plan: what was asked, proposed, granted, and why."""

    id: int
    funder: str
    state: str
    version: int
    requested: MoneyOut
    proposed: MoneyOut | None
    granted: MoneyOut | None
    eligible: bool | None
    failed: list[str]
    explanation: str | None
    comment: str | None
    conditions: str | None

    @classmethod
    def of(cls, line: ShareLine) -> ShareOut:
        share = line.share
        return cls(
            id=share.id or 0,
            funder=line.funder,
            state=share.state,
            version=share.version,
            requested=share.requested,
            proposed=share.proposed,
            granted=share.granted,
            eligible=share.eligible,
            failed=share.failed,
            explanation=share.explanation,
            comment=share.comment,
            conditions=share.conditions,
        )


class RuleOutcomeOut(Out):
    rule: str
    passed: bool
    message: str


class EligibilityOut(Out):
    """The common rules' verdict at submission (and the chair's override, if any)."""

    status: str | None
    rules_status: str
    failed: list[str]
    override: bool
    override_reason: str | None
    results: list[RuleOutcomeOut]
    reference_date: Day


class ApplicationSummaryOut(Out):
    """An application as lists show it: everything but the rule trace."""

    id: int
    reference: str | None
    call_id: int
    organisation_id: int
    title: str
    state: str
    version: int
    application: dict[str, Any] = Field(
        description="The application body as filed, with the kinds of documents attached"
    )
    submitted_at: Timestamp | None
    eligibility: EligibilityOut | None
    shares: list[ShareOut]
    flags: PlanFlags

    @classmethod
    def of(cls, read: ApplicationRead) -> ApplicationSummaryOut:
        return cls(**_fields(read))


class ApplicationOut(ApplicationSummaryOut):
    """An application with the trace of its rules (what each read and why it concluded)."""

    trace: list[dict[str, Any]] | None

    @classmethod
    def of(cls, read: ApplicationRead) -> ApplicationOut:
        trace = read.result.get("trace") if read.result else None
        return cls(**_fields(read), trace=trace)


def application_answer(read: ApplicationRead) -> dict[str, Any]:
    """The JSON answer of a submission, as stored for an idempotent retry."""
    return ApplicationOut.of(read).model_dump(mode="json")


def _fields(read: ApplicationRead) -> dict[str, Any]:
    application, result = read.application, read.result
    eligibility = None
    if result is not None:
        eligibility = EligibilityOut(
            status=application.eligibility,
            rules_status=result["status"],
            failed=result["failed"],
            override=result.get("override", False),
            override_reason=application.override_reason,
            results=[
                RuleOutcomeOut(rule=r["rule"], passed=r["passed"], message=r["message"])
                for r in result["results"]
            ],
            reference_date=result["reference_date"],
        )
    return {
        "id": application.id or 0,
        "reference": application.reference,
        "call_id": application.call_id,
        "organisation_id": application.organisation_id,
        "title": application.title,
        "state": application.state,
        "version": application.version,
        "application": {**application.data, "documents": read.documents},
        "submitted_at": application.submitted_at,
        "eligibility": eligibility,
        "shares": [ShareOut.of(line) for line in read.shares],
        "flags": read.flags,
    }


class ApplicationPageOut(Out):
    items: list[ApplicationSummaryOut]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, page: ApplicationPage) -> ApplicationPageOut:
        return cls(
            items=[ApplicationSummaryOut.of(item) for item in page.items],
            total=page.total,
            offset=page.offset,
            limit=page.limit,
        )


class EventOut(Out):
    """An entry of the audit trail: who did what, when, from which state to which, and why."""

    id: int
    entity: str
    entity_id: int
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    actor_id: int | None
    data: dict[str, Any]
    created_at: Timestamp
    actor: str = Field(description="Who acted, as the holder may read it")

    @classmethod
    def of(cls, read: EventRead) -> EventOut:
        event = read.event
        return cls(
            id=event.id or 0,
            entity=event.entity,
            entity_id=event.entity_id,
            action=event.action,
            from_state=event.from_state,
            to_state=event.to_state,
            reason=event.reason,
            actor_id=event.actor_id,
            data=event.data,
            created_at=event.created_at,
            actor=read.actor,
        )
