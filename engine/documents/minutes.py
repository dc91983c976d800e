"""The procès-verbal of a session: attendance, agenda, each plan with its flags and decisions,
and what the session did to each funder's envelope."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether

from engine.documents.model import OUTCOME_LABELS, EnvelopeLine, FunderLine, Minutes, MinutesItem
from engine.documents.pdf import (
    PageDecoration,
    bullets,
    document,
    labelled,
    para,
    render,
    signature,
    table,
)
from engine.formatting import format_date, format_money, to_paris

COMMITTEE = "Comité des financeurs"


@document
def minutes(record: Minutes) -> bytes:
    """Render the minutes of one session."""
    held_on = format_date(to_paris(record.starts_at).date())
    story: list[Flowable] = [
        para(f"Procès-verbal de la séance du {held_on}", "title"),
        para(record.session_title, "heading"),
        para(
            f"Séance ouverte le {format_date(record.starts_at)} sous la présidence de "
            f"{_person(record.chair_name, record.chair_title)}."
        ),
        labelled("Lieu :", record.location),
        para("Présences et quorum", "heading"),
        *(bullets(record.attendance) or [para("Aucune présence enregistrée.")]),
        *([para(record.quorum)] if record.quorum else []),
        para("Ordre du jour", "heading"),
        *(
            para(f"{number}. {item.reference} — {item.title} ({item.holder_name})")
            for number, item in enumerate(record.items, start=1)
        ),
        para("Examen des dossiers", "heading"),
    ]
    for number, item in enumerate(record.items, start=1):
        story.extend(_item(number, item))
    # The last section and the signature stay together: page 2 never holds only the signature.
    story.append(
        signature(
            f"Fait le {format_date(record.issued_on)},",
            _person(record.chair_name, record.chair_title),
            after=[para("Enveloppes par financeur", "heading"), _envelopes(record.envelopes)],
        )
    )
    page = PageDecoration(
        issuer=COMMITTEE,
        subtitle=record.session_title,
        footer=f"Procès-verbal de la séance du {held_on}",
    )
    return render(story, page, title=f"Procès-verbal — {record.session_title}")


def _item(number: int, item: MinutesItem) -> list[Flowable]:
    """One application: who, its status, the plan per funder, its flags, each decision's detail."""
    plan = table(
        ("Financeur", "Demandé", "Proposé", "Accordé", "Décision"),
        (
            (
                line.funder_name,
                format_money(line.requested),
                format_money(line.proposed),
                format_money(line.amount if line.outcome == "granted" else None),
                OUTCOME_LABELS[line.outcome],
            )
            for line in item.lines
        ),
        widths=(0.28, 0.18, 0.18, 0.18, 0.18),
        numeric=frozenset({1, 2, 3}),
    )
    head: list[Flowable] = [
        para(f"{number}. {item.reference} — {item.title}", "heading"),
        labelled("Porteur :", item.holder_name),
        labelled("Statut :", item.status_label),
        labelled("Coût total :", format_money(item.total_cost)),
        plan,
    ]
    details = [detail for line in item.lines for detail in _details(line)]
    flags = bullets(item.flags) if item.flags else [para("Aucun point d'attention.")]
    return [
        KeepTogether(head),
        *([para("Décisions :"), *bullets(details)] if details else []),
        *_recusals(item.recusals),
        *_opinions(item.opinions),
        para("Points d'attention :"),
        *flags,
    ]


def _recusals(sentences: tuple[str, ...]) -> list[Flowable]:
    """Who did not take part in the decision on the file (conflicts of interest)."""
    return [para("N'ont pas pris part à la décision :"), *bullets(sentences)] if sentences else []


def _opinions(sentences: tuple[str, ...]) -> list[Flowable]:
    """The opinions the funders' members gave on the file before the session."""
    if not sentences:
        return []
    listed = bullets(sentences)
    # The title never ends a page without the first opinion under it.
    return [KeepTogether([para("Avis des membres avant la séance :"), listed[0]]), *listed[1:]]


def _person(name: str, title: str) -> str:
    """`Claire Morel, Présidente du comité des financeurs`: a person, with the job title."""
    return f"{name}, {title}" if title else name


# What the text a funder wrote with its decision is: conditions of a grant, else a reason.
_WRITTEN = {
    "granted": "conditions",
    "refused": "motif du refus",
    "deferred": "motif de l'ajournement",
}


def _details(line: FunderLine) -> list[str]:
    """The sentences a decision adds to the plan: conditions, reasons for a refusal."""
    written = _WRITTEN[line.outcome]
    found = [f"{line.funder_name} — {written} : {line.conditions}"] if line.conditions else []
    found += [f"{line.funder_name} — {rule} : {text}" for rule, text in line.reasons]
    return found


def _envelopes(envelopes: tuple[EnvelopeLine, ...]) -> Flowable:
    return table(
        ("Financeur", "Enveloppe", "Accordé", "Proposé", "Dépassement"),
        (
            (
                envelope.funder_name,
                format_money(envelope.envelope),
                format_money(envelope.granted),
                format_money(envelope.proposed),
                format_money(envelope.exceeded),
            )
            for envelope in envelopes
        ),
        widths=(0.28, 0.18, 0.18, 0.18, 0.18),
        numeric=frozenset({1, 2, 3, 4}),
    )
