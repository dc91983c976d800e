"""The life of one funder's share of an application.

Each funder asked for money holds one share. Its rule module proposes an amount at submission
(or leaves it to a person), and a member of the funder may revise the proposal. In session the
funder grants, refuses or defers its share; a deferred share comes back at a later session. A
granted or refused share is final once the session closes: while it is open, the funder may
correct its decision (the new one replaces it), and the chair may defer the share of a funder
that is absent (a reason is mandatory). At the close of a session the shares of ineligible
files still undecided are refused by the system, and the undecided shares of a funder absent
(neither present nor represented) or wholly conflicted on the file are deferred by it, with
the reason.
"""

from workflows.spec import State, Transition, Workflow

OPEN_STATES = ("requested", "proposed", "deferred")
DECIDED_IN_SESSION = ("granted", "refused", "deferred")

SHARE = Workflow(
    name="share",
    label="Part d'un financeur",
    initial="requested",
    states=(
        State("requested", "Demandée", frozenset({"undecided"})),
        State("proposed", "Proposée", frozenset({"undecided", "counts_amount"})),
        State("granted", "Accordée", frozenset({"decided", "final", "counts_amount"})),
        State("refused", "Refusée", frozenset({"decided", "final"})),
        State("deferred", "Ajournée", frozenset({"undecided"})),
    ),
    transitions=(
        # The funder's rule module proposes at submission (system); a member revises by hand.
        Transition("propose", OPEN_STATES, "proposed", "Proposer", roles=("funder", "system")),
        Transition("grant", OPEN_STATES, "granted", "Accorder", roles=("funder",)),
        Transition("refuse", OPEN_STATES, "refused", "Refuser", roles=("funder",)),
        Transition("defer", OPEN_STATES, "deferred", "Ajourner", roles=("funder",)),
        # While the session is open (the service checks it was decided in this session).
        *(
            Transition(
                "correct",
                DECIDED_IN_SESSION,
                dest,
                "Corriger la décision",
                guards=(f"to_{dest}",),
                roles=("funder",),
            )
            for dest in ("granted", "refused", "deferred")
        ),
        # The chair, for a funder absent from the session: a deferral, never a grant or refusal.
        Transition(
            "defer_absent",
            OPEN_STATES,
            "deferred",
            "Ajourner (financeur absent)",
            roles=("chair",),
            requires_reason=True,
        ),
        # At the close, the system defers what could not be decided: the undecided share of a
        # funder neither present nor represented, or one whose every present member is
        # conflicted on the file; the reason goes to the minutes.
        Transition(
            "defer_at_close",
            OPEN_STATES,
            "deferred",
            "Ajourner à la clôture (financeur absent ou en conflit d'intérêts)",
            roles=("system",),
            requires_reason=True,
        ),
        Transition(
            "refuse_ineligible",
            OPEN_STATES,
            "refused",
            "Refuser (dossier non recevable)",
            roles=("system",),
        ),
    ),
)
