"""The life of a joint review session of the committee.

The chair plans a session and builds its agenda, convenes the members (convocations go out),
opens it on the day, and closes it once every share of every eligible file on the agenda is
decided. A session not yet open may be cancelled; its files then leave the agenda. While planned
or convened the agenda may change.
"""

from workflows.spec import State, Transition, Workflow

CHAIR = ("chair",)

SESSION = Workflow(
    name="session",
    label="Séance du comité",
    initial="planned",
    states=(
        State("planned", "Planifiée", frozenset({"agenda_editable"})),
        State("convened", "Convoquée", frozenset({"agenda_editable"})),
        State("open", "Ouverte", frozenset({"live"})),
        State("closed", "Close", frozenset({"final"})),
        State("cancelled", "Annulée", frozenset({"final"})),
    ),
    transitions=(
        Transition("convene", ("planned",), "convened", "Convoquer", roles=CHAIR),
        Transition("open", ("convened",), "open", "Ouvrir la séance", roles=CHAIR),
        Transition("close", ("open",), "closed", "Clore la séance", roles=CHAIR),
        Transition("cancel", ("planned", "convened"), "cancelled", "Annuler", roles=CHAIR),
    ),
)
