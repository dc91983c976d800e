"""The life of a funding application, from draft to notified decision.

A project holder drafts one application for a scheme, asking several funders for a share. On
submission the scheme's common rules decide where it lands: eligible, incomplete (documents
missing, the holder may complete and submit again) or ineligible. The chair may ask for more
documents, or declare an ineligible file eligible, giving a reason in both cases. The chair puts
files on a session agenda, eligible or not: the committee also records its refusals. When the
session closes the file is decided, unless a funder deferred its share, in which case it goes back
to eligible for a later session, keeping the shares already decided. The decision letter going
out makes it notified. Once every funder approved the final report the grant is settled, and
when the last balance or recovery is paid the file is closed. Until it is examined, the holder
may withdraw it.
"""

from workflows.spec import State, Transition, Workflow

APPLICANT = ("applicant",)
CHAIR = ("chair",)
SYSTEM = ("system",)

APPLICATION = Workflow(
    name="application",
    label="Demande de financement",
    initial="draft",
    states=(
        State("draft", "Brouillon", frozenset({"editable", "holder_can_withdraw"})),
        State(
            "eligible",
            "Recevable",
            frozenset({"submitted", "schedulable", "holder_can_withdraw"}),
        ),
        State("ineligible", "Non recevable", frozenset({"submitted", "schedulable"})),
        State(
            "incomplete",
            "Incomplet",
            frozenset({"editable", "submitted", "holder_can_withdraw"}),
        ),
        State("scheduled", "Inscrit à l'ordre du jour", frozenset({"submitted", "in_session"})),
        State("decided", "Décidé", frozenset({"submitted", "decided"})),
        # After the letter the file lives on (DESIGN §10): the final report is settled, then
        # the balances and recoveries are paid; only then is the file closed for good.
        State("notified", "Notifié", frozenset({"submitted", "decided", "notified"})),
        State("settled", "Soldé", frozenset({"submitted", "decided", "notified"})),
        State("closed", "Clos", frozenset({"submitted", "decided", "notified", "final"})),
        State("withdrawn", "Retiré", frozenset({"final"})),
    ),
    transitions=(
        # The common rules of the scheme pick the destination: exactly one of these guards
        # passes, in this order of precedence.
        Transition(
            "submit",
            ("draft", "incomplete"),
            "eligible",
            "Déposer",
            guards=("rules_eligible",),
            roles=APPLICANT,
        ),
        Transition(
            "submit",
            ("draft", "incomplete"),
            "incomplete",
            "Déposer",
            guards=("rules_incomplete",),
            roles=APPLICANT,
        ),
        Transition(
            "submit",
            ("draft", "incomplete"),
            "ineligible",
            "Déposer",
            guards=("rules_ineligible",),
            roles=APPLICANT,
        ),
        Transition(
            "withdraw",
            ("draft", "incomplete", "eligible"),
            "withdrawn",
            "Retirer la demande",
            roles=APPLICANT,
        ),
        Transition(
            "request_documents",
            ("eligible",),
            "incomplete",
            "Demander des pièces",
            roles=CHAIR,
            requires_reason=True,
        ),
        Transition(
            "override_eligibility",
            ("ineligible",),
            "eligible",
            "Déclarer recevable",
            roles=CHAIR,
            requires_reason=True,
        ),
        Transition(
            "schedule",
            ("eligible", "ineligible"),
            "scheduled",
            "Inscrire à l'ordre du jour",
            roles=CHAIR,
        ),
        # Taken off an agenda by the chair, or the session was cancelled: the file goes back to
        # where it stood before.
        Transition(
            "unschedule",
            ("scheduled",),
            "eligible",
            "Retirer de l'ordre du jour",
            guards=("was_eligible",),
            roles=("chair", "system"),
        ),
        Transition(
            "unschedule",
            ("scheduled",),
            "ineligible",
            "Retirer de l'ordre du jour",
            guards=("was_ineligible",),
            roles=("chair", "system"),
        ),
        Transition("decide", ("scheduled",), "decided", "Décider en séance", roles=SYSTEM),
        Transition(
            "defer",
            ("scheduled",),
            "eligible",
            "Ajourner à une séance ultérieure",
            roles=SYSTEM,
        ),
        Transition("notify", ("decided",), "notified", "Notifier la décision", roles=SYSTEM),
        # The last funder's approval of the final report computes the settlement.
        Transition("settle", ("notified",), "settled", "Solder la subvention", roles=SYSTEM),
        # The last balance or recovery paid (or cancelled).
        Transition("close", ("settled",), "closed", "Clore le dossier", roles=SYSTEM),
    ),
)
