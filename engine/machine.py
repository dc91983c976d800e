"""The workflow runner: fires a trigger of a `workflows/` workflow on one row, in memory.

One `transitions.Machine` per workflow is built from the data, once, and shared. Each call binds a
throwaway wrapper around the row (never the row itself: SQLModel rows reject the attributes
`transitions` adds), fires, and unbinds it whatever happens. Roles and reasons are checked here
against the data, before the machine runs; guards are callables supplied by the caller.

Nothing here touches the database: the caller stores the new state, the event and the outbox rows
in one transaction, with its optimistic lock (DESIGN §2, §9).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from transitions import Machine, MachineError

from workflows import ALL
from workflows.spec import Workflow

Guards = Mapping[str, Callable[[], bool]]

# `transitions` logs every state entry and exit at INFO; under a server logging at INFO that is
# two lines per request. Keep its warnings and errors unless someone configured it on purpose.
_transitions_logger = logging.getLogger("transitions")
if _transitions_logger.level == logging.NOTSET:
    _transitions_logger.setLevel(logging.WARNING)


class HasState(Protocol):
    state: str


class TransitionRefused(Exception):
    """The trigger cannot be fired from the row's state (or no guard let it through)."""

    def __init__(self, workflow: str, trigger: str, state: str, detail: str = "") -> None:
        self.workflow = workflow
        self.trigger = trigger
        self.state = state
        message = f"{workflow}: {trigger!r} is not allowed from state {state!r}"
        super().__init__(f"{message}: {detail}" if detail else message)


class RoleRefused(Exception):
    """The role may not fire this trigger."""

    def __init__(self, workflow: str, trigger: str, role: str) -> None:
        self.workflow = workflow
        self.trigger = trigger
        self.role = role
        super().__init__(f"{workflow}: role {role!r} may not fire {trigger!r}")


class ReasonRequired(Exception):
    """This transition needs a non-blank reason."""

    def __init__(self, workflow: str, trigger: str) -> None:
        self.workflow = workflow
        self.trigger = trigger
        super().__init__(f"{workflow}: {trigger!r} requires a reason")


@dataclass(frozen=True)
class Step:
    """What `fire` did, for the caller's event row."""

    workflow: str
    trigger: str
    source: str
    dest: str


class _Bound:
    """What the machine sees instead of the row: `state` goes through to the row, guard names
    resolve to the caller's callables, and everything `transitions` attaches lands here."""

    def __init__(self, row: HasState, guards: Guards) -> None:
        self._row = row
        self._guards = guards

    @property
    def state(self) -> str:
        return self._row.state

    @state.setter
    def state(self, value: str) -> None:
        self._row.state = value

    def __getattr__(self, name: str) -> Callable[[], bool]:
        # Only called for names not found otherwise; `transitions` probes for its own names
        # with getattr(..., None), so anything but a guard must be an AttributeError.
        guards: Guards = self.__dict__.get("_guards", {})
        if name in guards:
            return guards[name]
        raise AttributeError(name)


def _workflow(name: str) -> Workflow:
    try:
        return ALL[name]
    except KeyError:
        raise ValueError(f"unknown workflow {name!r}") from None


@cache
def runner(name: str) -> Machine:
    """The shared machine of workflow `name`, built on first use."""
    flow = _workflow(name)
    return Machine(
        model=None,
        states=list(flow.state_ids()),
        transitions=[
            {
                "trigger": t.trigger,
                "source": list(t.source),
                "dest": t.dest,
                "conditions": list(t.guards),
            }
            for t in flow.transitions
        ],
        initial=flow.initial,
        auto_transitions=False,  # no to_<state>() back doors
        model_attribute="state",
        send_event=False,
        ignore_invalid_triggers=False,
        queued=False,  # a queue shared by threads runs one request's trigger in another
        name=name,  # prefixes its log lines
    )


def can_fire(workflow: str, state: str, trigger: str, role: str) -> bool:
    """Would the data let `role` fire `trigger` from `state`? (Guards and reasons aside.)"""
    return _workflow(workflow).allowed(trigger, state, role)


def may_ever_fire(workflow: str, trigger: str, role: str) -> bool:
    """Does the data let `role` fire `trigger` from any state at all? (Asked before the state.)"""
    return _workflow(workflow).allowed_anywhere(trigger, role)


def fire(
    workflow: str,
    row: HasState,
    trigger: str,
    *,
    role: str,
    guards: Guards | None = None,
    reason: str | None = None,
) -> Step:
    """Fire `trigger` on `row` (anything with a `state` attribute) and return the step taken.

    Raises TransitionRefused, RoleRefused or ReasonRequired, leaving `row.state` unchanged; an
    exception raised by a guard propagates, also leaving it unchanged.

    Access before state: a role the data never lets fire `trigger` (from any state; an unknown
    trigger is nobody's) gets RoleRefused whatever the row's state, so that the refusal tells it
    nothing about the row. Only a role that may fire it somewhere learns that the state is wrong
    (TransitionRefused names the state).
    """
    flow = _workflow(workflow)
    if not flow.allowed_anywhere(trigger, role):
        raise RoleRefused(workflow, trigger, role)
    source = row.state
    if source not in flow.state_ids():
        raise ValueError(f"{workflow}: row is in unknown state {source!r}")
    candidates = flow.candidates(trigger, source)
    if not candidates:
        raise TransitionRefused(workflow, trigger, source)
    if not flow.allowed(trigger, source, role):
        raise RoleRefused(workflow, trigger, role)
    if flow.requires_reason(trigger, source) and not (reason and reason.strip()):
        raise ReasonRequired(workflow, trigger)
    supplied = guards or {}
    missing = sorted({g for t in candidates for g in t.guards} - supplied.keys())
    if missing:
        # A programming error, not a refusal: the service forgot to compute a guard.
        raise TypeError(f"{workflow}: {trigger!r} needs the guards {missing}")

    if not _run(workflow, _Bound(row, supplied), trigger, source):
        tried = ", ".join(" and ".join(t.guards) for t in candidates)
        raise TransitionRefused(workflow, trigger, source, f"no guard passed ({tried})")
    return Step(workflow, trigger, source, row.state)


def _run(workflow: str, bound: _Bound, trigger: str, source: str) -> bool:
    machine = runner(workflow)
    machine.add_model(bound, initial=source)
    try:
        moved = machine.events[trigger].trigger(bound)
    except MachineError:
        # Unreachable while the data and the machine agree; kept so a mismatch reads clearly.
        raise TransitionRefused(workflow, trigger, source) from None
    finally:
        machine.remove_model(bound)
    # False, not an exception, when every conditional arrow's guards failed.
    return bool(moved)
