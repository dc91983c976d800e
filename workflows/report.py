"""The life of an application's final financial report (compte rendu financier, CERFA 15059).

Opened when the holder is notified of the decision, the report is due some months after the end
of the action; the holder fills it in and submits it whenever ready. Each funder that granted a
share reviews it: it approves, or asks for a revision with a reason, which hands the report back
to the holder, who submits it again. The last approval makes it approved (the service decides
which approval is the last one: the guard `all_approved`).
"""

from workflows.spec import State, Transition, Workflow

APPLICANT = ("applicant",)
FUNDER = ("funder",)

REPORT = Workflow(
    name="report",
    label="Compte rendu financier",
    initial="due",
    states=(
        State("due", "Attendu", frozenset({"holder_editable", "awaited"})),
        State("submitted", "Transmis", frozenset({"under_review"})),
        State(
            "revision_requested",
            "À compléter",
            frozenset({"holder_editable", "awaited"}),
        ),
        State("approved", "Approuvé", frozenset({"final"})),
    ),
    transitions=(
        Transition(
            "submit", ("due", "revision_requested"), "submitted", "Transmettre", roles=APPLICANT
        ),
        # A funder's approval: the report stays submitted while other funders still have to
        # approve it; the last one moves it to approved.
        Transition(
            "approve",
            ("submitted",),
            "approved",
            "Approuver",
            guards=("all_approved",),
            roles=FUNDER,
        ),
        Transition(
            "approve",
            ("submitted",),
            "submitted",
            "Approuver",
            guards=("others_pending",),
            roles=FUNDER,
        ),
        Transition(
            "request_revision",
            ("submitted",),
            "revision_requested",
            "Demander une révision",
            roles=FUNDER,
            requires_reason=True,
        ),
    ),
)
