"""A funder's proposal for its own share, before the session (a proposal can be revised)."""

from __future__ import annotations

from decimal import Decimal

from engine.access import Actor, require_funder_member
from engine.audit import authorise, transition
from engine.db import Database
from engine.errors import Conflict
from engine.formatting import format_money
from engine.models import Share
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services.applications import load
from engine.services.common import check_version, funder_by_code, share_of
from workflows.application import APPLICATION

# A proposal makes sense once the file is submitted and until the session decides it.
PROPOSABLE = APPLICATION.tagged("schedulable") | APPLICATION.tagged("in_session")


def propose_share(
    db: Database,
    actor: Actor,
    application_id: int,
    funder_code: str,
    amount: Decimal,
    comment: str | None,
    if_match: int | None = None,
) -> Share:
    with db.transaction() as session:
        # Access before state: the file as its GET shows it, a role that may propose, a member
        # of that funder; only then the version and the states.
        application = load(session, application_id, actor)
        authorise("share", "propose", actor)
        require_text({"funder": funder_code}, multiline={"comment": comment})
        funder = funder_by_code(session, funder_code)
        assert funder.id is not None
        require_funder_member(actor, funder.id)
        share = share_of(session, application_id, funder.id)
        check_version(share, if_match)
        if application.state not in PROPOSABLE:
            raise Conflict("wrong_state.proposal", state=application.state)
        if amount > share.requested:
            raise InvalidInput(
                [FieldError("amount", "above_request", requested=format_money(share.requested))]
            )
        transition(
            session,
            "share",
            share,
            "propose",
            actor,
            application_id=application_id,
            data={"amount": str(amount), "comment": comment, "by": "hand"},
        )
        share.proposed = amount
        share.comment = comment
        session.flush()
        return share
