"""The attendance sheet (feuille d'émargement) of a session, printed for signatures: every member
of the session's funders, its funder, what the chair has recorded so far and a box to sign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable

from engine.documents.pdf import PageDecoration, document, labelled, para, render, table
from engine.formatting import format_date, to_paris

COMMITTEE = "Comité des financeurs"
# Blank lines (no-break spaces survive the layout) that make each row a box tall enough to sign.
SIGNATURE_BOX = "\u00a0\n\u00a0\n\u00a0"


@dataclass(frozen=True)
class SheetLine:
    name: str
    funder_name: str
    status: str  # « Excusé », « Représenté par … », or empty: to fill in on the day


@dataclass(frozen=True)
class AttendanceSheet:
    session_title: str
    starts_at: datetime
    location: str
    chair_name: str
    lines: tuple[SheetLine, ...]


@document
def attendance_sheet(record: AttendanceSheet) -> bytes:
    held_on = format_date(to_paris(record.starts_at).date())
    hour = f"{to_paris(record.starts_at):%H:%M}".replace(":", " h ")
    story: list[Flowable] = [
        para(f"Feuille de présence — séance du {held_on}", "title"),
        para(record.session_title, "heading"),
        labelled("Date :", f"{held_on} à {hour}"),
        labelled("Lieu :", record.location),
        labelled("Présidence :", record.chair_name),
        para(
            "Chaque membre présent signe en face de son nom ; un membre représenté indique "
            "le nom de son mandataire, qui signe pour lui."
        ),
        table(
            ("Membre", "Financeur", "Présence", "Signature"),
            (
                (line.name, line.funder_name, line.status or SIGNATURE_BOX, "")
                for line in record.lines
            ),
            widths=(0.28, 0.28, 0.2, 0.24),
        )
        if record.lines
        else para("Aucun membre n'est rattaché aux financeurs de cette séance."),
    ]
    page = PageDecoration(
        issuer=COMMITTEE,
        subtitle=record.session_title,
        footer=f"Feuille de présence de la séance du {held_on}",
    )
    return render(story, page, title=f"Feuille de présence — {record.session_title}")
