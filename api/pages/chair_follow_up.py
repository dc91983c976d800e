"""The chair's follow-up board after the decisions: final reports due and overdue, payments the
funders still have to make, recoveries still to claim."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.web import PageActor, PageRoute, render
from engine.access import require_role
from engine.services.payment_list import follow_up
from workflows.payment import KIND_LABELS

router = APIRouter(route_class=PageRoute)


@router.get("/comite/suivi")
def follow_up_board(request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "chair", "admin")
    return render(
        request,
        "chair/follow_up.html",
        {"board": follow_up(db, actor), "kind_labels": KIND_LABELS},
        actor=actor,
    )
