"""Mermaid diagrams of the workflows, drawn from the same data the runner executes.

`cofinance workflows diagram` prints them; paste into any Mermaid viewer. States show their
French label; arrows show the trigger, its guards in brackets and who may fire it.
"""

from __future__ import annotations

from workflows import ALL
from workflows.spec import Transition, Workflow


def _quote(text: str) -> str:
    # Mermaid has no escape inside a quoted label; a straight double quote would end it.
    return text.replace('"', "'")


def _edge_label(transition: Transition) -> str:
    label = transition.trigger
    if transition.guards:
        label += f" [{' and '.join(transition.guards)}]"
    # ":" starts the label in Mermaid's syntax; keep the rest of the label free of it.
    return f"{label} ({', '.join(transition.roles)})".replace(":", " ")


def mermaid(workflow: Workflow) -> str:
    """The `stateDiagram-v2` source of one workflow."""
    lines = ["stateDiagram-v2", f"    %% {workflow.name}: {workflow.label}"]
    lines += [f'    state "{_quote(s.label)}" as {s.id}' for s in workflow.states]
    lines.append(f"    [*] --> {workflow.initial}")
    lines += [
        f"    {source} --> {t.dest} : {_edge_label(t)}"
        for t in workflow.transitions
        for source in t.source
    ]
    lines += [f"    {state} --> [*]" for state in sorted(workflow.tagged("final"))]
    return "\n".join(lines) + "\n"


def all_diagrams() -> str:
    """Every workflow's diagram, each under a Markdown heading in a fenced block."""
    return "\n".join(
        f"## {flow.label} (`{name}`)\n\n```mermaid\n{mermaid(flow)}```\n"
        for name, flow in ALL.items()
    )
