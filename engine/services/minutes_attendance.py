"""What the minutes and the attendance sheet say of the attendance: each member's presence in
French, and the quorum in one sentence."""

from __future__ import annotations

from sqlmodel import Session

from engine.models import Meeting
from engine.services.attendance import AttendanceLine, attendance_of, quorum_of
from engine.services.common import member_with_funder


def status_label(line: AttendanceLine) -> str:
    """présent(e), excusé(e), représenté(e) par X, absent(e)."""
    if line.status == "represented":
        return f"représenté(e) par {line.proxy_name or ''}".strip()
    return {"present": "présent(e)", "excused": "excusé(e)"}.get(line.status or "", "absent(e)")


def attendance_sentences(session: Session, meeting: Meeting) -> tuple[str, ...]:
    """`Claire Morel (Caf de l'Isère) : présent(e)`, one per member; empty when nothing was
    recorded (a session held before attendance was kept)."""
    lines = attendance_of(session, meeting)
    if not any(line.status for line in lines):
        return ()
    return tuple(f"{member_label(line)} : {status_label(line)}" for line in lines)


def member_label(line: AttendanceLine) -> str:
    """`Claire Morel (Caf de l'Isère)`; the name alone when it already says the funder."""
    return member_with_funder(line.name, line.funder_name)


def quorum_sentence(session: Session, meeting: Meeting) -> str:
    lines = attendance_of(session, meeting)
    if not any(line.status for line in lines):
        return ""
    quorum = quorum_of(session, meeting)
    counted = (
        f"{quorum.present} financeur(s) sur {quorum.total} présent(s) ou représenté(s), "
        f"pour un minimum de {quorum.required}"
    )
    if quorum.met:
        return f"Le quorum est atteint : {counted}."
    missing = ""
    if quorum.missing:
        missing = f" ; absent(s) alors que leur présence est requise : {', '.join(quorum.missing)}"
    return f"Le quorum n'est plus atteint à la clôture : {counted}{missing}."
