"""One message of the outbox as the administrator reads it: what it says, to whom, and how its
delivery went (state, attempts, last error)."""

from __future__ import annotations

import re
from typing import Any

from engine.access import Actor, require_role
from engine.db import Database
from engine.errors import NotFound
from engine.models import OutboxMessage
from engine.notify.deliver import outbox_json
from engine.services.password_reset import EMAIL_KIND, RESET_PATH

# A password reset link would let whoever reads it take the account over: masked here.
_RESET_TOKEN = re.compile(re.escape(RESET_PATH) + r"\?jeton=[A-Za-z0-9_\-%]+")
MASKED = RESET_PATH + "?jeton=[masqué]"


def _masked(kind: str, text: str | None) -> str | None:
    if text is None or kind != EMAIL_KIND:
        return text
    return _RESET_TOKEN.sub(MASKED, text)


def outbox_message(db: Database, actor: Actor, message_id: int) -> dict[str, Any]:
    require_role(actor, "admin")
    with db.reading() as session:
        row = session.get(OutboxMessage, message_id)
        if row is None:
            raise NotFound("not_found.outbox", id=message_id)
        return {
            **outbox_json(row),
            "recipients": [address.strip() for address in row.recipient.split(",")],
            "body_text": _masked(row.kind, row.body_text) or "",
            "has_html": row.body_html is not None,
            "attachments": len(row.attachments or []),
        }
