"""The session pack (dossier de séance): what each member reads before the committee meets —
for each file on the agenda, who asks, the plan as it stands, and the project as the holder
described it (CERFA 12156, fiche 3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether

from engine.documents.pdf import PageDecoration, labelled, para, render, table
from engine.formatting import format_date, format_money, to_paris

COMMITTEE = "Comité des financeurs"
# The parts of the project, in the order of the CERFA (labels of rulebook.application.Project).
PROJECT_PARTS = (
    ("objectives", "Objectifs du projet"),
    ("description", "Description de l'action"),
    ("public", "Public bénéficiaire"),
    ("means", "Moyens mis en œuvre"),
    ("evaluation", "Méthode d'évaluation"),
)


@dataclass(frozen=True)
class PackLine:
    """One funder's line of a file's plan."""

    funder_name: str
    requested: Decimal
    computed: Decimal | None
    proposed: Decimal | None


@dataclass(frozen=True)
class PackItem:
    reference: str
    title: str
    holder_name: str
    scheme_label: str
    total_cost: Decimal
    other_resources: Decimal
    lines: tuple[PackLine, ...]
    project: Mapping[str, str | None] | None


@dataclass(frozen=True)
class SessionPack:
    session_title: str
    starts_at: datetime
    location: str
    items: tuple[PackItem, ...]
    issued_on: date


def project_flowables(project: Mapping[str, str | None] | None) -> list[Flowable]:
    """The project description, part by part; a sentence when the holder wrote none."""
    written = [(label, (project or {}).get(key)) for key, label in PROJECT_PARTS]
    found: list[Flowable] = [
        labelled(f"{label} :", "\n" + text) for label, text in written if text and text.strip()
    ]
    return found or [para("Le porteur n'a pas décrit son projet.")]


def _item(number: int, item: PackItem) -> list[Flowable]:
    plan = table(
        ("Financeur", "Demandé", "Calculé par les règles", "Proposé"),
        (
            (
                line.funder_name,
                format_money(line.requested),
                format_money(line.computed),
                format_money(line.proposed),
            )
            for line in item.lines
        ),
        widths=(0.34, 0.22, 0.22, 0.22),
        numeric=frozenset({1, 2, 3}),
    )
    head: list[Flowable] = [
        para(f"{number}. {item.reference} — {item.title}", "heading"),
        labelled("Porteur :", item.holder_name),
        labelled("Dispositif :", item.scheme_label),
        labelled(
            "Coût total :",
            f"{format_money(item.total_cost)} (autres produits : "
            f"{format_money(item.other_resources)})",
        ),
        plan,
    ]
    return [KeepTogether(head), para("Description du projet"), *project_flowables(item.project)]


def session_pack(record: SessionPack) -> bytes:
    """Render the pack of one session."""
    held_on = format_date(to_paris(record.starts_at).date())
    story: list[Flowable] = [
        para(f"Dossier de séance du {held_on}", "title"),
        para(record.session_title, "heading"),
        labelled("Lieu :", record.location),
        para("Ordre du jour", "heading"),
        *(
            para(f"{number}. {item.reference} — {item.title} ({item.holder_name})")
            for number, item in enumerate(record.items, start=1)
        ),
    ]
    if not record.items:
        story.append(para("Aucun dossier inscrit à l'ordre du jour."))
    for number, item in enumerate(record.items, start=1):
        story.extend(_item(number, item))
    page = PageDecoration(
        issuer=COMMITTEE,
        subtitle=record.session_title,
        footer=f"Dossier de séance du {held_on} — édité le {format_date(record.issued_on)}",
    )
    return render(story, page, title=f"Dossier de séance — {record.session_title}")
