"""The agreement that binds a funder to the holder for one granted share.

When a decision is notified, each granted share gets its agreement. Above the legal threshold
(23 000 € a year, loi n° 2000-321 art. 10, décret n° 2001-495), counted over everything the funder
granted to the same organisation for the civil year of the action's start, whatever the
application, the subsidy needs a written convention: the committee draws it up, the holder signs
it and returns the signed copy, and a member of the funder countersigns it; it is then in force.
Below the threshold the decision letter is the act: the agreement is a notification, in force at
once. The money starts to flow only once the agreement is in force (the advance is scheduled
then).
"""

from workflows.spec import State, Transition, Workflow

AGREEMENT = Workflow(
    name="agreement",
    label="Convention ou notification",
    initial="awaiting_signature",
    states=(
        State("awaiting_signature", "En attente de la signature du porteur", frozenset({"open"})),
        State("signed_by_holder", "Signée par le porteur", frozenset({"open"})),
        State("in_force", "En vigueur", frozenset({"in_force", "final"})),
    ),
    transitions=(
        # The holder uploads the convention it signed (a PDF).
        Transition(
            "sign", ("awaiting_signature",), "signed_by_holder", "Signer", roles=("applicant",)
        ),
        # A member of the funder countersigns: the convention comes into force.
        Transition(
            "countersign", ("signed_by_holder",), "in_force", "Contresigner", roles=("funder",)
        ),
    ),
)
