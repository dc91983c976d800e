"""The outbox, for the administrator: what is pending, sent or failed (with its last error),
and a retry by hand of a failed message (same Message-ID)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.common import Id
from api.models.outbox import OutboxMessageDetailOut, OutboxMessageOut, OutboxPageOut
from engine.notify import deliver
from engine.services.outbox_view import outbox_message

router = APIRouter(tags=["outbox"])


@router.get("/outbox", response_model=OutboxPageOut, responses=error_responses(401, 403, 422))
def list_outbox(
    db: DatabaseDep,
    actor: CurrentActor,
    state: Literal["pending", "sent", "failed"] | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> OutboxPageOut:
    """`{items, total}`, newest first (admin only)."""
    return OutboxPageOut.model_validate(deliver.list_outbox(db, actor, state, offset, limit))


@router.post(
    "/outbox/{message_id}/retry",
    response_model=OutboxMessageOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def retry(message_id: int, db: DatabaseDep, actor: CurrentActor) -> OutboxMessageOut:
    """A failed message goes back to pending, due now (admin only); 409 if it is not failed."""
    return OutboxMessageOut.model_validate(deliver.retry_message(db, actor, message_id))


@router.get(
    "/outbox/{message_id}",
    response_model=OutboxMessageDetailOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_message(message_id: Id, db: DatabaseDep, actor: CurrentActor) -> OutboxMessageDetailOut:
    """One message: its subject, recipients and text, its state, attempts and last error (admin
    only; a password reset link is masked)."""
    return OutboxMessageDetailOut.model_validate(outbox_message(db, actor, message_id))
