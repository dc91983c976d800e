"""The vocabulary every workflow is written in: states, transitions, workflows.

A workflow is plain data. The runner (`engine.machine`) turns it into a `transitions` machine, the
diagrams (`engine.diagram`) draw it, and services ask it questions (`tagged`, `allowed`) instead of
comparing state names. Ids are English and never change; labels are French and may.

Roles: "applicant" (project holder), "funder", "chair", "admin", and "system" (services, the
scheduler, the close of a session). A transition lists the roles that may fire it; "system" is a
role like the others, allowed only where it is listed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

ROLES: frozenset[str] = frozenset({"applicant", "funder", "chair", "admin", "system"})


class WorkflowError(ValueError):
    """A workflow's data contradicts itself (raised by `Workflow.validate`)."""


@dataclass(frozen=True)
class State:
    id: str
    label: str
    tags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Transition:
    """One arrow. Several arrows may share a trigger: their guards then pick the destination,
    tried in declaration order, the first whose guards all pass wins."""

    trigger: str
    source: tuple[str, ...]
    dest: str
    label: str
    guards: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    requires_reason: bool = False


@dataclass(frozen=True)
class Workflow:
    name: str
    label: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]

    def state(self, id: str) -> State:
        for state in self.states:
            if state.id == id:
                return state
        raise KeyError(f"{self.name}: no state {id!r}")

    def state_ids(self) -> tuple[str, ...]:
        return tuple(state.id for state in self.states)

    def tagged(self, tag: str) -> frozenset[str]:
        """Ids of the states carrying `tag`."""
        return frozenset(state.id for state in self.states if tag in state.tags)

    def tags(self) -> frozenset[str]:
        return frozenset(tag for state in self.states for tag in state.tags)

    def triggers(self) -> tuple[str, ...]:
        """Every trigger, once, in declaration order."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    def candidates(self, trigger: str, source: str) -> tuple[Transition, ...]:
        """The arrows `trigger` may follow from `source`, in the order their guards are tried."""
        return tuple(t for t in self.transitions if t.trigger == trigger and source in t.source)

    def allowed(self, trigger: str, source: str, role: str) -> bool:
        """May `role` fire `trigger` from `source` (guards and reasons aside)?"""
        return any(role in t.roles for t in self.candidates(trigger, source))

    def allowed_anywhere(self, trigger: str, role: str) -> bool:
        """May `role` fire `trigger` from at least one state? A role for which this is false
        must be refused without being told anything about the row's state (access first)."""
        return any(t.trigger == trigger and role in t.roles for t in self.transitions)

    def requires_reason(self, trigger: str, source: str) -> bool:
        return any(t.requires_reason for t in self.candidates(trigger, source))

    def validate(self) -> None:
        """Raise `WorkflowError` listing every inconsistency in the data."""
        problems = self._problems()
        if problems:
            raise WorkflowError(f"workflow {self.name!r}: " + "; ".join(problems))

    def _problems(self) -> list[str]:
        ids = self.state_ids()
        known = set(ids)
        triggers = set(self.triggers())
        problems: list[str] = []
        if len(known) != len(ids):
            problems.append("duplicate state ids")
        if self.initial not in known:
            problems.append(f"initial state {self.initial!r} is not declared")
        for t in self.transitions:
            where = f"{t.trigger} {'|'.join(t.source)} → {t.dest}"
            problems += [f"{where}: unknown source {s!r}" for s in t.source if s not in known]
            if t.dest not in known:
                problems.append(f"{where}: unknown destination {t.dest!r}")
            if not t.source:
                problems.append(f"{where}: no source")
            if not t.roles:
                problems.append(f"{where}: no role may fire it")
            problems += [f"{where}: unknown role {r!r}" for r in t.roles if r not in ROLES]
            # Guards are looked up by name on the runner's wrapper, next to the methods
            # `transitions` adds there (the triggers, is_<state>, may_<trigger>).
            problems += [
                f"{where}: guard {g!r} clashes with a trigger or a generated name"
                for g in t.guards
                if not g.isidentifier() or g in triggers or g.startswith(("is_", "may_"))
            ]
        problems += self._conflicts(known)
        problems += [f"state {s!r} is unreachable" for s in ids if s not in self._reachable()]
        return problems

    def _conflicts(self, known: set[str]) -> list[str]:
        # Arrows sharing a trigger and a source form one decision: each needs a guard (or the
        # later ones could never be taken), and they must agree on who may fire it and on the
        # reason, since both are checked before the guards pick the arrow.
        problems = []
        for trigger in self.triggers():
            for source in sorted(known):
                group = self.candidates(trigger, source)
                if len(group) < 2:
                    continue
                where = f"{trigger} from {source}"
                if any(not t.guards for t in group):
                    problems.append(f"{where}: several arrows, one without a guard")
                if len({frozenset(t.roles) for t in group}) > 1:
                    problems.append(f"{where}: arrows disagree on roles")
                if len({t.requires_reason for t in group}) > 1:
                    problems.append(f"{where}: arrows disagree on requires_reason")
        return problems

    def _reachable(self) -> set[str]:
        seen = {self.initial}
        queue = deque([self.initial])
        while queue:
            here = queue.popleft()
            for t in self.transitions:
                if here in t.source and t.dest not in seen:
                    seen.add(t.dest)
                    queue.append(t.dest)
        return seen
