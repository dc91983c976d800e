"""The attendance sheet of a session, for whoever sees the session (the chair, the funders of
its calls): every member, its funder, what is recorded so far, a box to sign."""

from __future__ import annotations

from engine.access import Actor
from engine.db import Database
from engine.documents.attendance_sheet import AttendanceSheet, SheetLine, attendance_sheet
from engine.services.attendance import attendance_of
from engine.services.letter_content import signatory
from engine.services.meetings import visible_session
from engine.services.minutes_attendance import status_label


def attendance_sheet_pdf(db: Database, actor: Actor, session_id: int) -> bytes:
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        lines = attendance_of(session, meeting)
        chair_name, chair_title = signatory(session, actor)
        record = AttendanceSheet(
            session_title=meeting.title,
            starts_at=meeting.starts_at,
            location=meeting.location,
            chair_name=f"{chair_name}, {chair_title}" if chair_title else chair_name,
            lines=tuple(
                SheetLine(
                    line.name,
                    line.funder_name,
                    # Only what is known before signing: a presence is for the signature.
                    "" if line.status in (None, "present") else _first_upper(status_label(line)),
                )
                for line in lines
            ),
        )
    return attendance_sheet(record)


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]
