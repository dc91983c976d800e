"""The life of a call for projects.

The administrator or the chair prepares a call (scheme, dates, each funder's envelope) and opens
it; holders may submit only while it is open. It closes by hand or by itself at its deadline
(the scheduler); a closed call is final.
"""

from workflows.spec import State, Transition, Workflow

CALL = Workflow(
    name="call",
    label="Appel à projets",
    initial="draft",
    states=(
        State("draft", "Brouillon"),
        State("open", "Ouvert", frozenset({"accepts_submissions"})),
        State("closed", "Clos", frozenset({"final"})),
    ),
    transitions=(
        Transition("open", ("draft",), "open", "Ouvrir", roles=("admin", "chair")),
        Transition("close", ("open",), "closed", "Clore", roles=("admin", "chair", "system")),
    ),
)
