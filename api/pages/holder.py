"""The project holder's pages: my applications, the guided form (CERFA 12156), the simulator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep, SettingsDep
from api.pages import reads
from api.pages.files import call_view, funder_names, scheme_label
from api.pages.forms import (
    Section,
    application_body,
    application_sections,
    form_values,
    group_row_count,
    labeller,
    raw_values,
)
from api.pages.french import FLAGS
from api.pages.web import (
    PageActor,
    PageRoute,
    Pagination,
    PostedForm,
    field_errors,
    page_number,
    redirect,
    render,
)
from engine.access import Actor, require_role
from engine.clock import now, paris_date
from engine.db import Database
from engine.errors import Conflict
from engine.rulebook import FieldError, InvalidInput, ParameterGap, default_registry, evaluate
from engine.services import applications as service
from engine.services import calls
from engine.services.funders import config_of, list_funders
from engine.settings import Settings
from workflows.call import CALL

router = APIRouter(route_class=PageRoute)
ACCEPTS_SUBMISSIONS = CALL.tagged("accepts_submissions")


@router.get("/demandes")
def my_applications(
    request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None
) -> Response:
    require_role(actor, "applicant")
    pagination = Pagination(page_number(page), 0)
    listing = reads.applications(db, actor, offset=pagination.offset, limit=pagination.size)
    pagination = Pagination(pagination.page, listing["total"])
    titles = _call_titles(db)
    for item in listing["items"]:
        item["total_requested"] = total_requested(item)
    return render(
        request,
        "holder/list.html",
        {"items": listing["items"], "pagination": pagination, "calls": titles},
        actor=actor,
    )


def total_requested(application: dict[str, Any]) -> Decimal:
    return sum((Decimal(s["requested"]) for s in application["shares"]), Decimal("0.00"))


def _call_titles(db: Database) -> dict[int, str]:
    with db.reading() as session:
        return {c.id or 0: c.title for c in calls.list_calls_in(session)}


def _open_calls(db: Database) -> list[dict[str, Any]]:
    with db.reading() as session:
        return [
            {**reads.call(session, c), "scheme_label": scheme_label(c.scheme)}
            for c in calls.list_calls_in(session)
            if c.state in ACCEPTS_SUBMISSIONS and c.closes_at > now()
        ]


def _sections(db: Database, call: dict[str, Any]) -> list[Section]:
    names = funder_names(db)
    funders = [(f["funder"], names.get(f["funder"], f["funder"])) for f in call["funders"]]
    return application_sections(default_registry().schemes[call["scheme"]], funders)


def _simulate(
    db: Database, settings: Settings, scheme: str, body: dict[str, Any], documents: list[str]
) -> dict[str, Any]:
    """What each funder would propose if the file were submitted today, its documents attached
    (they come at the next step); nothing is stored."""
    funders = {f.code: config_of(f) for f in list_funders(db)}
    result = evaluate(
        default_registry(),
        scheme,
        {**body, "documents": documents},
        paris_date(now()),
        settings.department,
        funders,
    )
    return result.as_json()


def _form_page(
    request: Request,
    db: Database,
    actor: Actor,
    call: dict[str, Any],
    values: dict[str, Any],
    *,
    application_id: int | None = None,
    errors: dict[str, str] | None = None,
    simulation: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    sections = _sections(db, call)
    rows = {
        fld.name: group_row_count(values, fld)
        for section in sections
        for fld in section.fields
        if fld.kind == "group"
    }
    return render(
        request,
        "holder/form.html",
        {
            "call": call,
            "scheme_label": scheme_label(call["scheme"]),
            "sections": sections,
            "values": values,
            "form_errors": errors or {},
            "group_rows": rows,
            "simulation": simulation,
            "application_id": application_id,
            "funder_names": funder_names(db),
            "flag_labels": FLAGS,
            "field_label": labeller(default_registry().schemes.get(call["scheme"])),
        },
        actor=actor,
        status_code=status_code,
    )


@router.get("/demandes/nouvelle")
def new_application(
    request: Request, db: DatabaseDep, actor: PageActor, appel: str | None = None
) -> Response:
    require_role(actor, "applicant")
    open_calls = _open_calls(db)
    chosen = next((c for c in open_calls if str(c["id"]) == appel), None)
    if chosen is None:
        return render(request, "holder/choose_call.html", {"calls": open_calls}, actor=actor)
    values = {"application.renewal": "non", "application.previous_report_filed": "non"}
    values["application.budget.investment_costs"] = "0"
    return _form_page(request, db, actor, chosen, values)


def _posted(
    request: Request,
    form: Any,
    db: Database,
    actor: Actor,
    settings: Settings,
    call: dict[str, Any],
    application_id: int | None,
) -> Response:
    sections = _sections(db, call)
    title, body = application_body(form, sections)
    values = raw_values(form)

    def refused(exc: InvalidInput) -> Response:
        """The same form again, each error beside its field."""
        return _form_page(
            request,
            db,
            actor,
            call,
            values,
            application_id=application_id,
            errors=field_errors(exc),
            status_code=422,
        )

    if form.get("action") == "simuler":
        try:
            documents = list(default_registry().schemes[call["scheme"]].document_labels())
            simulation = _simulate(db, settings, call["scheme"], body, documents)
        except InvalidInput as exc:
            return refused(exc)
        except ParameterGap as exc:
            raise Conflict("parameter_gap", **exc.params) from None
        return _form_page(
            request,
            db,
            actor,
            call,
            values,
            application_id=application_id,
            simulation=simulation,
        )
    try:
        if not title:
            raise InvalidInput([FieldError("title", "required")])
        if application_id is None:
            created = service.create_application(db, actor, call["id"], title, body)
            return redirect(f"/dossiers/{created.id}", "created")
        service.update_application(db, actor, application_id, title=title, raw=body)
    except InvalidInput as exc:
        return refused(exc)
    return redirect(f"/dossiers/{application_id}", "saved")


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
    chosen = next((c for c in _open_calls(db) if str(c["id"]) == appel), None)
    if chosen is None:
        return redirect("/demandes/nouvelle")
    return _posted(request, form, db, actor, settings, chosen, None)


@router.get("/dossiers/{application_id}/modifier")
def edit(request: Request, application_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "applicant")  # the holder's form: others may read the file, not edit it
    application = reads.application(db, actor, application_id)
    call = call_view(db, application["call_id"])
    data = {k: v for k, v in application["application"].items() if k != "documents"}
    return _form_page(
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
    return _posted(request, form, db, actor, settings, call, application_id)
