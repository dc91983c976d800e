"""The holder's routes of the guided form: new application, editing a draft, copying one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep, SettingsDep
from api.pages import reads
from api.pages.files import call_view
from api.pages.forms import form_values
from api.pages.holder_form import form_page, open_calls, posted
from api.pages.web import PageActor, PageRoute, PostedForm, redirect, render
from engine.access import require_role
from engine.services import applications as service
from engine.services import organisations

router = APIRouter(route_class=PageRoute)


@router.get("/demandes/nouvelle")
def new_application(
    request: Request, db: DatabaseDep, actor: PageActor, appel: str | None = None
) -> Response:
    require_role(actor, "applicant")
    offered = open_calls(db)
    chosen = next((c for c in offered if str(c["id"]) == appel), None)
    if chosen is None:
        return render(request, "holder/choose_call.html", {"calls": offered}, actor=actor)
    values: dict[str, Any] = {
        "application.renewal": "non",
        "application.previous_report_filed": "non",
    }
    values["application.budget.investment_costs"] = "0"
    # The holder block as the organisation's profile has it.
    values.update(form_values("", {"holder": organisations.prefilled_holder(db, actor)}))
    values.pop("title", None)
    return form_page(request, db, actor, chosen, values)


@router.post("/demandes/nouvelle")
def create(
    request: Request,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
    appel: str | None = None,
) -> Response:
    require_role(actor, "applicant")
    chosen = next((c for c in open_calls(db) if str(c["id"]) == appel), None)
    if chosen is None:
        return redirect("/demandes/nouvelle")
    return posted(request, form, db, actor, settings, chosen, None)


@router.get("/dossiers/{application_id}/modifier")
def edit(request: Request, application_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "applicant")  # the holder's form: others may read the file, not edit it
    application = reads.application(db, actor, application_id)
    call = call_view(db, application["call_id"])
    data = {k: v for k, v in application["application"].items() if k != "documents"}
    return form_page(
        request,
        db,
        actor,
        call,
        form_values(application["title"], data),
        application_id=application_id,
    )


@router.post("/dossiers/{application_id}/modifier")
def update(
    request: Request,
    application_id: int,
    form: PostedForm,
    db: DatabaseDep,
    actor: PageActor,
    settings: SettingsDep,
) -> Response:
    require_role(actor, "applicant")
    application = reads.application(db, actor, application_id)
    call = call_view(db, application["call_id"])
    return posted(request, form, db, actor, settings, call, application_id)


@router.post("/dossiers/{application_id}/copier")
def copy(application_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    """Last year's application again, in the open call of its scheme, for the holder to edit."""
    require_role(actor, "applicant")
    created = service.copy_application(db, actor, application_id)
    return redirect(f"/dossiers/{created.id}/modifier", "copied")
