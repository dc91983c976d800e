"""The chair's pages: calls, sessions (agenda, convene, the live session screen, close), dashboard.

Funders see the session screen too, and record their own decisions there.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep, SettingsDep
from api.pages import reads
from api.pages.charts import AMOUNT_SERIES, ENVELOPE_SERIES, bar_chart, gauge
from api.pages.files import call_view, funder_names, my_funder_code, parse_money, scheme_label
from api.pages.french import FLAGS
from api.pages.funder import calls_for, inbox
from api.pages.web import (
    PageActor,
    PageRoute,
    Pagination,
    PostedForm,
    field_errors,
    form_text,
    page_number,
    redirect,
    render,
    transition_label,
)
from api.routes.sessions import pdf_response
from engine.access import Actor, require_role
from engine.db import Database
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.services import calls, queries
from engine.services import sessions as service
from engine.services.calls import EnvelopeIn
from engine.services.funders import list_funders
from engine.services.reports import amounts_by_scheme_and_commune, envelopes_of_call
from workflows.application import APPLICATION
from workflows.call import CALL
from workflows.session import SESSION
from workflows.share import SHARE

router = APIRouter(route_class=PageRoute)
SCHEDULABLE = APPLICATION.tagged("schedulable")
UNDECIDED = SHARE.tagged("undecided")


def _datetime(raw: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput([FieldError(field, "date_expected")]) from None


# ---------------------------------------------------------------- files and calls


@router.get("/comite/dossiers")
def all_files(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    appel: str | None = None,
    etat: str | None = None,
    page: str | None = None,
) -> Response:
    require_role(actor, "chair", "admin")
    return inbox(request, db, actor, appel, etat, page, "inbox.html")


@router.get("/appels")
def list_calls(
    request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None
) -> Response:
    require_role(actor, "chair", "admin")
    every = calls_for(db, actor)
    pagination = Pagination(page_number(page), len(every))
    items = pagination.slice(every)
    for call in items:
        call["scheme_label"] = scheme_label(call["scheme"])
        call["envelope_total"] = sum((Decimal(f["envelope"]) for f in call["funders"]), Decimal(0))
        call["triggers"] = [
            t for t in ("open", "close") if CALL.allowed(t, call["state"], actor.role)
        ]
    return render(
        request,
        "chair/calls.html",
        {"items": items, "pagination": pagination, "funder_names": funder_names(db)},
        actor=actor,
    )


def _call_form(
    request: Request,
    db: Database,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    schemes = [(code, m.label) for code, m in default_registry().schemes.items()]
    return render(
        request,
        "chair/call_form.html",
        {
            "schemes": schemes,
            "funders": list_funders(db),
            "values": values,
            "form_errors": errors or {},
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get("/appels/nouveau")
def new_call(request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "chair", "admin")
    return _call_form(request, db, actor, {})


@router.post("/appels/nouveau")
def create_call(request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "chair", "admin")
    values = {key: form_text(form, key) for key in form if key != "csrf_token"}
    try:
        errors: list[FieldError] = []
        envelopes = []
        for funder in list_funders(db):
            raw = values.get(f"envelope.{funder.code}", "")
            try:
                amount = parse_money(raw, f"envelope.{funder.code}", required=False)
            except InvalidInput as exc:
                errors.extend(exc.errors)
                continue
            if amount is not None:
                envelopes.append(EnvelopeIn(funder.code, amount))
        for name in ("title", "opens_at", "closes_at", "scheme"):
            if not values.get(name):
                errors.append(FieldError(name, "required"))
        if not envelopes:
            errors.append(FieldError("funders", "required"))
        if errors:
            raise InvalidInput(errors)
        call = calls.create_call(
            db,
            actor,
            values["scheme"],
            values["title"],
            _datetime(values["opens_at"], "opens_at"),
            _datetime(values["closes_at"], "closes_at"),
            envelopes,
        )
    except InvalidInput as exc:
        return _call_form(request, db, actor, values, field_errors(exc))
    return redirect(f"/appels?appel={call.id}", "call_created")


@router.post("/appels/{call_id}/{trigger}")
def move_call(
    call_id: int, trigger: str, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    moves = {"ouvrir": calls.open_call, "clore": calls.close_call}
    if trigger not in moves:
        return redirect("/appels")
    moves[trigger](db, actor, call_id)
    return redirect("/appels", "call_moved")


# ---------------------------------------------------------------- sessions


@router.get("/seances")
def list_sessions(
    request: Request, db: DatabaseDep, actor: PageActor, page: str | None = None
) -> Response:
    require_role(actor, "chair", "funder", "admin")
    meetings = reads.sessions(db, actor)
    meetings.reverse()  # the next or latest session first
    pagination = Pagination(page_number(page), len(meetings))
    titles = {c["id"]: c["title"] for c in calls_for(db, actor)}
    return render(
        request,
        "chair/sessions.html",
        {"items": pagination.slice(meetings), "pagination": pagination, "call_titles": titles},
        actor=actor,
    )


def _session_form(
    request: Request, db: Database, actor: Actor, values: dict[str, str], errors: dict[str, str]
) -> Response:
    return render(
        request,
        "chair/session_form.html",
        {
            "call_choices": [(c["id"], c["title"]) for c in calls_for(db, actor)],
            "values": values,
            "form_errors": errors,
        },
        actor=actor,
        status_code=422 if errors else 200,
    )


@router.get("/seances/nouvelle")
def new_session(request: Request, db: DatabaseDep, actor: PageActor) -> Response:
    require_role(actor, "chair")
    return _session_form(request, db, actor, {}, {})


@router.post("/seances/nouvelle")
def create_session(
    request: Request, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    require_role(actor, "chair")
    values = {key: form_text(form, key) for key in ("call_id", "title", "starts_at", "location")}
    try:
        missing = [FieldError(k, "required") for k, v in values.items() if not v]
        if missing:
            raise InvalidInput(missing)
        meeting = service.create_session(
            db,
            actor,
            int(values["call_id"]) if values["call_id"].isdigit() else 0,
            values["title"],
            _datetime(values["starts_at"], "starts_at"),
            values["location"],
        )
    except InvalidInput as exc:
        return _session_form(request, db, actor, values, field_errors(exc))
    return redirect(f"/seances/{meeting.id}", "session_created")


def _live_context(db: Database, actor: Actor, session_id: int) -> dict[str, Any]:
    view = reads.session(db, actor, session_id)
    names = funder_names(db)
    envelopes = [
        {
            **use,
            "gauge": gauge(
                use["name"],
                Decimal(use["envelope"]),
                Decimal(use["granted"]),
                Decimal(use["proposed"]),
            ),
        }
        for use in view["envelopes"]
    ]
    return {
        "meeting": view,
        "envelopes": envelopes,
        "funder_names": names,
        "flag_labels": FLAGS,
        "live": "live" in SESSION.state(view["state"]).tags,
    }


def _session_page(
    request: Request,
    db: Database,
    actor: Actor,
    session_id: int,
    errors: dict[str, dict[str, str]] | None = None,
) -> Response:
    context = _live_context(db, actor, session_id)
    meeting = context["meeting"]
    state = SESSION.state(meeting["state"])
    mine = my_funder_code(db, actor)
    candidates: list[dict[str, Any]] = []
    if actor.role == "chair" and "agenda_editable" in state.tags:
        listing = reads.applications(db, actor, meeting["call_id"], limit=500)
        on_agenda = {a["id"] for a in meeting["agenda"]}
        candidates = [
            a for a in listing["items"] if a["state"] in SCHEDULABLE or a["id"] in on_agenda
        ]
        for candidate in candidates:
            candidate["on_agenda"] = candidate["id"] in on_agenda
    decisions = []
    if mine and "live" in state.tags:
        for item in meeting["agenda"]:
            share = next((s for s in item["shares"] if s["funder"] == mine), None)
            eligible = (item["eligibility"] or {}).get("status") == "eligible"
            if share and share["state"] in UNDECIDED and eligible:
                decisions.append({"item": item, "share": share})
    triggers = [
        (t, transition_label("session", t))
        for t in ("convene", "open", "close", "cancel")
        if SESSION.allowed(t, meeting["state"], actor.role)
    ]
    context.update(
        {
            "call": call_view(db, meeting["call_id"]),
            "candidates": candidates,
            "decisions": decisions,
            "my_funder": mine,
            "triggers": triggers,
            "outcomes": [
                (outcome, transition_label("share", trigger))
                for outcome, trigger in service.OUTCOMES.items()
            ],
            "closed": "final" in state.tags and meeting["state"] == "closed",
            "form_errors": errors or {},
        }
    )
    return render(
        request, "chair/session.html", context, actor=actor, status_code=422 if errors else 200
    )


@router.get("/seances/{session_id}")
def session_screen(
    request: Request, session_id: int, db: DatabaseDep, actor: PageActor
) -> Response:
    return _session_page(request, db, actor, session_id)


@router.get("/seances/{session_id}/direct")
def session_live(request: Request, session_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    """The part of the session screen that follows the decisions (refreshed every few seconds)."""
    return render(
        request, "chair/_session_live.html", _live_context(db, actor, session_id), actor=actor
    )


@router.post("/seances/{session_id}/ordre-du-jour")
def set_agenda(
    request: Request, session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    ids = [int(v) for v in form.getlist("application_ids") if isinstance(v, str) and v.isdigit()]
    version = form_text(form, "version")
    try:
        service.set_agenda(db, actor, session_id, ids, int(version) if version.isdigit() else None)
    except InvalidInput as exc:
        return _session_page(request, db, actor, session_id, {"agenda": field_errors(exc)})
    return redirect(f"/seances/{session_id}", "agenda")


@router.post("/seances/{session_id}/convene")
def convene(
    session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor, settings: SettingsDep
) -> Response:
    service.convene_session(db, actor, session_id, settings)  # convocations: in the background
    return redirect(f"/seances/{session_id}", "convened")


@router.post("/seances/{session_id}/open")
def open_session(session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor) -> Response:
    service.open_session(db, actor, session_id)
    return redirect(f"/seances/{session_id}", "opened")


@router.post("/seances/{session_id}/close")
def close_session(
    session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor, settings: SettingsDep
) -> Response:
    service.close_session(db, actor, session_id, settings)  # letters: in the background
    return redirect(f"/seances/{session_id}", "closed")


@router.post("/seances/{session_id}/cancel")
def cancel_session(
    session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    service.cancel_session(db, actor, session_id, form_text(form, "reason") or None)
    return redirect(f"/seances/{session_id}", "cancelled")


@router.post("/seances/{session_id}/decisions")
def decide(
    request: Request, session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    application_id = form_text(form, "application_id")
    funder = form_text(form, "funder")
    outcome = form_text(form, "outcome")
    key = f"decision-{application_id}"
    try:
        amount = parse_money(form_text(form, "amount"), "amount", required=False)
        service.record_decision(
            db,
            actor,
            session_id,
            int(application_id) if application_id.isdigit() else 0,
            funder,
            outcome,
            amount if outcome == "granted" else None,
            form_text(form, "conditions") or None,
        )
    except InvalidInput as exc:
        return _session_page(request, db, actor, session_id, {key: field_errors(exc)})
    return redirect(f"/seances/{session_id}#decisions", "decided")


@router.get("/seances/{session_id}/proces-verbal")
def minutes(session_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    _, content = queries.session_minutes(db, actor, session_id)
    return pdf_response(content, f"pv-seance-{session_id}.pdf")


# ---------------------------------------------------------------- dashboard


@router.get("/tableau-de-bord")
def dashboard(
    request: Request, db: DatabaseDep, actor: PageActor, appel: str | None = None
) -> Response:
    require_role(actor, "chair", "admin")
    labels = {code: m.label.split(" — ")[0] for code, m in default_registry().schemes.items()}
    figures = amounts_by_scheme_and_commune(db, actor, labels)
    every = calls_for(db, actor)
    chosen = next((c for c in every if str(c["id"]) == appel), every[0] if every else None)
    envelope_rows = []
    if chosen is not None:
        envelope_rows = [
            (u.name, [u.envelope, u.granted, u.proposed])
            for u in envelopes_of_call(db, actor, chosen["id"])
        ]
    communes = figures["communes"][:15]
    return render(
        request,
        "chair/dashboard.html",
        {
            "calls": every,
            "chosen": chosen,
            "envelope_chart": bar_chart(
                f"Consommation des enveloppes : {chosen['title']}" if chosen else "Enveloppes",
                envelope_rows,
                ENVELOPE_SERIES,
            )
            if envelope_rows
            else None,
            "envelope_rows": envelope_rows,
            "scheme_chart": bar_chart(
                "Montants demandés et accordés par dispositif",
                [(a.label, [a.requested, a.granted]) for a in figures["schemes"]],
                AMOUNT_SERIES,
            )
            if figures["schemes"]
            else None,
            "schemes": figures["schemes"],
            "commune_chart": bar_chart(
                "Montants demandés et accordés par commune",
                [(a.label, [a.requested, a.granted]) for a in communes],
                AMOUNT_SERIES,
            )
            if communes
            else None,
            "communes": communes,
        },
        actor=actor,
    )
