"""The life of one payment on a granted share.

When a funder's agreement comes into force, its share gets two payments: an advance, ready to
be paid at once (scheduled), and a balance, pending until the final report is approved and the
settlement fixes what is still due. A member of the funder orders a scheduled payment with its
accounting reference (the payment order), then marks it paid on the day the money left. The
settlement gives the pending balance its amount and schedules it, or cancels it when nothing
more is due; when the holder received more than the action finally justified, the settlement
schedules a recovery: the same steps, the money going back (the funder's recovery order, then
the day it was received). A payment that is paid or cancelled is final.
"""

from workflows.spec import State, Transition, Workflow

# Outgoing kinds (the funder pays the holder) and the one that comes back.
OUTGOING = ("advance", "balance")
KINDS = (*OUTGOING, "recovery")
KIND_LABELS = {"advance": "Acompte", "balance": "Solde", "recovery": "Reversement"}

PAYMENT = Workflow(
    name="payment",
    label="Versement",
    initial="pending",
    states=(
        State("pending", "En attente du solde", frozenset({"open"})),
        State("scheduled", "À ordonnancer", frozenset({"open", "committed"})),
        State("ordered", "Ordonnancé", frozenset({"open", "committed"})),
        State("paid", "Payé", frozenset({"committed", "final"})),
        State("cancelled", "Annulé", frozenset({"final"})),
    ),
    transitions=(
        # The settlement fixes the balance's amount (or a recovery is created scheduled).
        Transition("schedule", ("pending",), "scheduled", "Programmer", roles=("system",)),
        # A member of the funder, with its accounting reference (mandat or titre de recette).
        Transition("order", ("scheduled",), "ordered", "Ordonnancer", roles=("funder",)),
        Transition("pay", ("ordered",), "paid", "Marquer payé", roles=("funder",)),
        # The settlement found nothing more due.
        Transition("cancel", ("pending", "scheduled"), "cancelled", "Annuler", roles=("system",)),
    ),
)
