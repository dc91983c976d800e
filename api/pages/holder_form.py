"""The guided form's page (CERFA 12156): shown, and posted (saved, simulated, a row added)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.pages import reads
from api.pages.files import funder_names, scheme_label
from api.pages.forms import (
    GROUP_ROWS_EXTRA,
    Section,
    application_body,
    application_sections,
    group_row_count,
    labeller,
    raw_values,
    territory_errors,
)
from api.pages.french import FLAGS
from api.pages.holder_simulation import simulate, simulation_errors
from api.pages.web import field_errors, redirect, render
from engine.access import Actor
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict
from engine.rulebook import FieldError, InvalidInput, ParameterGap, default_registry
from engine.services import applications as service
from engine.services import calls
from engine.services.renewal import missing_report
from engine.settings import Settings
from workflows.call import CALL

ACCEPTS_SUBMISSIONS = CALL.tagged("accepts_submissions")


def open_calls(db: Database) -> list[dict[str, Any]]:
    with db.reading() as session:
        return [
            {**reads.call(session, c), "scheme_label": scheme_label(c.scheme)}
            for c in calls.list_calls_in(session)
            if c.state in ACCEPTS_SUBMISSIONS and c.closes_at > now()
        ]


def sections_of(db: Database, call: dict[str, Any], department: str | None) -> list[Section]:
    names = funder_names(db)
    funders = [(f["funder"], names.get(f["funder"], f["funder"])) for f in call["funders"]]
    return application_sections(default_registry().schemes[call["scheme"]], funders, department)


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def form_page(
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
    add_row: str | None = None,
) -> Response:
    sections = sections_of(db, call, request.state.settings.department)
    rows = {
        # Asked for one more row (without JavaScript): the rows posted, and one blank.
        fld.name: group_row_count(values, fld)
        - (GROUP_ROWS_EXTRA - 1 if fld.name == add_row else 0)
        for section in sections
        for fld in section.fields
        if fld.kind == "group"
    }
    rule_errors = simulation_errors(simulation, sections) if simulation else {}
    return render(
        request,
        "holder/form.html",
        {
            "call": call,
            "scheme_label": scheme_label(call["scheme"]),
            "sections": sections,
            "values": values,
            "form_errors": errors or {},
            "rule_errors": rule_errors,
            "group_rows": rows,
            "simulation": simulation,
            "application_id": application_id,
            "funder_names": funder_names(db),
            "flag_labels": FLAGS,
            "field_label": labeller(default_registry().schemes.get(call["scheme"])),
            # Rule G4 from the record: the earlier grant whose final report is still missing.
            "missing_report": missing_report(
                db, actor, call["scheme"], _day(values.get("application.period.start"))
            ),
        },
        actor=actor,
        status_code=status_code,
    )


def posted(
    request: Request,
    form: Any,
    db: Database,
    actor: Actor,
    settings: Settings,
    call: dict[str, Any],
    application_id: int | None,
) -> Response:
    sections = sections_of(db, call, settings.department)
    title, body = application_body(form, sections)
    values = raw_values(form)
    # A commune typed by a name that matches none or several: said in French on its field
    # (the service would only see an unknown code).
    communes = territory_errors(form, sections)

    def refused(exc: InvalidInput) -> Response:
        """The same form again, each error beside its field."""
        return form_page(
            request,
            db,
            actor,
            call,
            values,
            application_id=application_id,
            errors={**field_errors(exc), **communes},
            status_code=422,
        )

    action = str(form.get("action") or "")
    if action.startswith("ajouter:"):  # "add a row" without JavaScript: the form again
        return form_page(
            request,
            db,
            actor,
            call,
            values,
            application_id=application_id,
            add_row=action.removeprefix("ajouter:"),
        )

    if form.get("action") == "simuler":
        try:
            documents = list(default_registry().schemes[call["scheme"]].document_labels())
            simulation = simulate(db, settings, call["scheme"], body, documents)
        except InvalidInput as exc:
            return refused(exc)
        except ParameterGap as exc:
            raise Conflict("parameter_gap", **exc.params) from None
        return form_page(
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
