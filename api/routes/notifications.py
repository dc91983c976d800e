"""In-app notifications of the current user: list, mark one or all read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.notifications import NotificationOut, NotificationPageOut, ReadAllOut
from engine.notify import inbox

router = APIRouter(tags=["notifications"])


@router.get(
    "/notifications", response_model=NotificationPageOut, responses=error_responses(401, 422)
)
def list_notifications(
    db: DatabaseDep,
    actor: CurrentActor,
    unread: bool = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> NotificationPageOut:
    """`{items, total, unread}`, newest first; `?unread=true` lists only the unread ones."""
    return NotificationPageOut.model_validate(
        inbox.list_notifications(db, actor, unread, offset, limit)
    )


@router.post("/notifications/read-all", response_model=ReadAllOut, responses=error_responses(401))
def read_all(db: DatabaseDep, actor: CurrentActor) -> ReadAllOut:
    return ReadAllOut.model_validate(inbox.mark_all_read(db, actor))


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationOut,
    responses=error_responses(401, 404, 422),
)
def read(notification_id: int, db: DatabaseDep, actor: CurrentActor) -> NotificationOut:
    return NotificationOut.model_validate(inbox.mark_read(db, actor, notification_id))
