"""Attendance on the session screen: the quorum for everyone who sees the session, the chair's
form (one line per member of the session's funders: présent, excusé, représenté par …) until
the close, and the attendance sheet to print for signatures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.web import PageActor, PageRoute, PostedForm, form_text, redirect
from api.routes.sessions import pdf_response
from engine.access import Actor
from engine.db import Database
from engine.rulebook import InvalidInput
from engine.services import attendance, close_deferrals
from engine.services.attendance_sheet import attendance_sheet_pdf
from engine.services.minutes_attendance import member_label, status_label

router = APIRouter(route_class=PageRoute)
STATUS_CHOICES = [
    ("present", "Présent(e)"),
    ("excused", "Excusé(e)"),
    ("represented", "Représenté(e)"),
]


def add_attendance(db: Database, actor: Actor, context: dict[str, Any]) -> None:
    """What the session screen shows of the attendance: each member with its status, the
    quorum, and for the chair the form while the session may still change it."""
    meeting = context["meeting"]
    _, lines, quorum = attendance.session_attendance(db, actor, meeting["id"])
    editable = actor.role == "chair" and meeting["state"] in attendance.RECORDABLE
    context.update(
        {
            "attendance": [
                {
                    "line": line,
                    "who": member_label(line),
                    # Before the opening, nothing recorded is not yet an absence.
                    "label": status_label(line)
                    if line.status or meeting["state"] in ("open", "closed")
                    else "présence non renseignée",
                }
                for line in lines
            ],
            "quorum": quorum,
            "attendance_form": editable,
            "attendance_choices": STATUS_CHOICES,
            "attendance_proxies": [(line.username, line.name) for line in lines],
            "attendance_errors": context.get("form_errors", {}).get("attendance", {}),
            "deferred_at_close": close_deferrals.shown_before_close(db, actor, meeting["id"])
            if actor.role == "chair"
            else [],
        }
    )


@router.post("/seances/{session_id}/presences")
def record(
    request: Request, session_id: int, form: PostedForm, db: DatabaseDep, actor: PageActor
) -> Response:
    """Each row `i` of the form posts `user-i`, `status-i` (empty: absent) and `proxy-i`."""
    from api.pages.session_screen import session_page

    rows: list[int] = []
    attendees: list[attendance.AttendeeInput] = []
    for index in range(500):
        user = form_text(form, f"user-{index}")
        if not user:
            break
        status = form_text(form, f"status-{index}")
        if not status:
            continue
        proxy = form_text(form, f"proxy-{index}") if status == "represented" else ""
        rows.append(index)
        attendees.append(attendance.AttendeeInput(user, status, proxy or None))
    try:
        attendance.record_attendance(db, actor, session_id, attendees)
    except InvalidInput as exc:
        errors = {_row_field(e.field, rows): e.message for e in exc.errors}
        return session_page(request, db, actor, session_id, {"attendance": errors})
    return redirect(f"/seances/{session_id}#presences", "attendance")


def _row_field(field: str, rows: list[int]) -> str:
    """`attendees.2.proxy` → `proxy-5`: the error beside the form's row it is about."""
    parts = field.split(".")
    if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
        name = "status" if parts[2] == "user" else parts[2]
        return f"{name}-{rows[int(parts[1])]}"
    return field


@router.get("/seances/{session_id}/feuille-de-presence")
def sheet(session_id: int, db: DatabaseDep, actor: PageActor) -> Response:
    return pdf_response(
        attendance_sheet_pdf(db, actor, session_id), f"feuille-de-presence-{session_id}.pdf"
    )
