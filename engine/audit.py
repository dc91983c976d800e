"""The append-only audit trail, and the one helper that moves a row through its workflow."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlmodel import Session

from engine.access import Actor
from engine.errors import Conflict, Forbidden
from engine.machine import ReasonRequired, RoleRefused, Step, TransitionRefused, fire
from engine.rulebook import FieldError, InvalidInput


class Stateful(Protocol):
    id: int | None
    state: str


def record(
    session: Session,
    entity: str,
    entity_id: int,
    action: str,
    actor: Actor,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    application_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    from engine.models import Event

    session.add(
        Event(
            entity=entity,
            entity_id=entity_id,
            application_id=application_id,
            actor_id=actor.id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            data=data or {},
        )
    )


def transition(
    session: Session,
    workflow: str,
    row: Stateful,
    trigger: str,
    actor: Actor,
    *,
    guards: Mapping[str, Callable[[], bool]] | None = None,
    reason: str | None = None,
    application_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Step:
    """Fire a workflow trigger on a row and record the event, in the caller's transaction."""
    try:
        step = fire(workflow, row, trigger, role=actor.role, guards=guards, reason=reason)
    except TransitionRefused as exc:
        raise Conflict(str(exc), "wrong_state") from None
    except RoleRefused as exc:
        raise Forbidden(str(exc)) from None
    except ReasonRequired:
        raise InvalidInput([FieldError("reason", "a reason is required")]) from None
    assert row.id is not None
    record(
        session,
        workflow,
        row.id,
        trigger,
        actor,
        from_state=step.source,
        to_state=step.dest,
        reason=reason,
        application_id=application_id,
        data=data,
    )
    return step
