"""The session pack (dossier de séance): what each member reads before the committee meets —
for each file on the agenda, who asks, the plan as it stands (requested, computed, proposed),
its flags, the rules it fails, the members' opinions, and the project as the holder described
it (CERFA 12156, fiche 3). One page per file: each file starts a new page, so that a member
finds a file by its number and the pack prints as a stack of separate sheets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether, PageBreak

from engine.documents.pdf import PageDecoration, bullets, document, labelled, para, render, table
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
    # The plan's flags, the failed rules and the opinions, as French sentences.
    flags: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()
    opinions: tuple[str, ...] = ()


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
    return [
        KeepTogether(head),
        *_section("Points d'attention du plan", item.flags, "Aucun point d'attention."),
        *_section("Règles non satisfaites", item.failures, "Toutes les règles sont satisfaites."),
        *_section("Avis des membres", item.opinions, "Aucun avis n'a été donné."),
        para("Description du projet", "heading"),
        *project_flowables(item.project),
    ]


def _section(title: str, sentences: tuple[str, ...], none: str) -> list[Flowable]:
    """A titled list of sentences, or the sentence saying there is none."""
    body = bullets(sentences) if sentences else [para(none)]
    return [KeepTogether([para(title, "heading"), body[0]]), *body[1:]]


@document
def session_pack(record: SessionPack) -> bytes:
    """Render the pack of one session."""
    held_on = format_date(to_paris(record.starts_at).date())
    count = len(record.items)
    # No agenda list on a cover page of its own: the convocation carries the agenda, and the
    # pack keeps exactly one page per file (the first file shares the first page).
    story: list[Flowable] = [
        para(f"Dossier de séance du {held_on}", "title"),
        labelled("Séance :", record.session_title),
        labelled("Lieu :", record.location),
        para(
            f"{count} dossier{'s' if count > 1 else ''} à l'ordre du jour, un par page."
            if count
            else "Aucun dossier inscrit à l'ordre du jour."
        ),
    ]
    for number, item in enumerate(record.items, start=1):
        if number > 1:
            story.append(PageBreak())  # one page per file (the first shares the cover's)
        story.extend(_item(number, item))
    page = PageDecoration(
        issuer=COMMITTEE,
        subtitle=record.session_title,
        footer=f"Dossier de séance du {held_on} — édité le {format_date(record.issued_on)}",
    )
    return render(story, page, title=f"Dossier de séance — {record.session_title}")
