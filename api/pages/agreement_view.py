"""The file page's list of agreements, with what the person looking may do on each."""

from __future__ import annotations

from typing import Any

from engine.access import Actor
from engine.db import Database
from engine.services.funding import funding
from workflows.agreement import AGREEMENT

KINDS = {
    "convention": "Convention",
    "notification": "Notification (la lettre de décision vaut acte)",
}


def agreement_rows(
    db: Database, actor: Actor, application_id: int, names: dict[str, str]
) -> list[dict[str, Any]]:
    """The file's agreements as the page lists them, with what this person may do on each."""
    found = funding(db, actor, application_id)
    rows = []
    for agreement in found.agreements:
        code = found.code(agreement.funder_id)
        rows.append(
            {
                "id": agreement.id,
                "funder": names.get(code, code),
                "kind": KINDS.get(agreement.kind, agreement.kind),
                "state": agreement.state,
                "amount": agreement.amount,
                "has_convention": agreement.blob_id is not None,
                "has_signed": agreement.signed_blob_id is not None,
                "can_sign": actor.role == "applicant"
                and AGREEMENT.allowed("sign", agreement.state, actor.role),
                "can_countersign": actor.funder_id == agreement.funder_id
                and AGREEMENT.allowed("countersign", agreement.state, actor.role),
            }
        )
    return rows
