"""The administrator's outbox pages: the notifications sent or waiting, one message, a retry."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.french import OUTBOX_KINDS, OUTBOX_STATES
from api.pages.web import (
    PageActor,
    PageRoute,
    Pagination,
    PostedForm,
    page_number,
    redirect,
    render,
)
from engine.access import require_role
from engine.clock import PARIS
from engine.formatting import format_date
from engine.notify import deliver
from engine.services.outbox_view import outbox_message

router = APIRouter(route_class=PageRoute)


@router.get("/admin/envois")
def outbox(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    etat: str | None = None,
    page: str | None = None,
) -> Response:
    require_role(actor, "admin")
    state = etat if etat in OUTBOX_STATES else None
    pagination = Pagination(page_number(page), 0)
    listing = deliver.list_outbox(db, actor, state, pagination.offset, pagination.size)
    for item in listing["items"]:
        item["when"] = _paris(item["created_at"])
    return render(
        request,
        "admin/outbox.html",
        {
            "items": listing["items"],
            "pagination": Pagination(pagination.page, listing["total"]),
            "states": OUTBOX_STATES,
            "kinds": OUTBOX_KINDS,
            "chosen_state": state or "",
        },
        actor=actor,
    )


@router.post("/admin/envois/{message_id}/relancer")
def retry(message_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    deliver.retry_message(db, actor, message_id)
    return redirect("/admin/envois?etat=pending", "retried")


# ---------------------------------------------------------------- one message of the outbox


@router.get("/admin/envois/{message_id}")
def outbox_message_page(
    message_id: int, request: Request, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "admin")
    message = outbox_message(db, actor, message_id)
    return render(
        request,
        "admin/outbox_message.html",
        {
            "mail": message,  # not `message`: the layout shows the confirmation under that name
            "states": OUTBOX_STATES,
            "kinds": OUTBOX_KINDS,
            "when": {k: _paris(message[k]) for k in ("created_at", "next_attempt_at", "sent_at")},
        },
        actor=actor,
    )


def _paris(iso: str | None) -> str:
    """`1er décembre 2026 à 4 h 05` (Paris time), or a dash."""
    if not iso:
        return "—"
    moment = datetime.fromisoformat(iso).astimezone(PARIS)
    return f"{format_date(moment.date())} à {moment.hour}\u00a0h\u00a0{moment.minute:02d}"
