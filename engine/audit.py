"""The append-only audit trail, and the one helper that moves a row through its workflow."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlmodel import Session

from engine.access import Actor
from engine.errors import Conflict, Forbidden
from engine.machine import (
    ReasonRequired,
    RoleRefused,
    Step,
    TransitionRefused,
    fire,
    may_ever_fire,
)
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text


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


def authorise(workflow: str, trigger: str, actor: Actor) -> None:
    """403 unless the workflow data lets the actor's role fire `trigger` from some state.

    Services call it once the actor may see the object (as its GET would decide) and before
    any check that depends on the object's state (wrong state, stale version, deadline, …):
    whoever may never fire the trigger learns nothing of the state.
    """
    if not may_ever_fire(workflow, trigger, actor.role):
        raise Forbidden("forbidden.role_refused", role=actor.role, trigger=trigger)


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
    """Fire a workflow trigger on a row and record the event, in the caller's transaction.

    A role the data never lets fire `trigger` gets 403 whatever the row's state; only a role
    that may fire it from some state gets 409 when the state is wrong (see `engine.machine.fire`).
    Every reason given for a step comes through here: it is checked as text (422 naming `reason`).
    """
    require_text({}, multiline={"reason": reason})
    try:
        step = fire(workflow, row, trigger, role=actor.role, guards=guards, reason=reason)
    except TransitionRefused as exc:
        raise Conflict("wrong_state", state=exc.state, trigger=exc.trigger) from None
    except RoleRefused as exc:
        raise Forbidden("forbidden.role_refused", role=exc.role, trigger=exc.trigger) from None
    except ReasonRequired:
        raise InvalidInput([FieldError("reason", "reason_required")]) from None

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
