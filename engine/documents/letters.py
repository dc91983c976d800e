"""Letters to the project holder (consolidated and per funder) and convocations to a session."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from engine.documents.model import (
    OUTCOME_LABELS,
    Convocation,
    DecisionLetter,
    FunderLetter,
    FunderLine,
)
from engine.documents.pdf import (
    PageDecoration,
    bullets,
    labelled,
    para,
    render,
    signature,
    table,
)
from engine.formatting import NBSP, format_date, format_money

COMMITTEE = "Comité des financeurs"
CONVENTION = (
    "Une convention précisant l'objet, le montant, les conditions d'utilisation et les modalités "
    "de versement de la subvention sera signée avec {funder} (loi n° 2000-321 du 12 avril 2000, "
    "art. 10 ; décret n° 2001-495 du 6 juin 2001)."
)
APPEAL = (
    "recours gracieux auprès de {authority} ou recours contentieux devant le tribunal "
    "administratif dans un délai de deux mois à compter de la notification de la présente "
    "décision. Un recours gracieux interrompt le délai du recours contentieux."
)
DEFERRED = "Décision ajournée : votre demande sera réexaminée lors d'une prochaine séance."


def decision_letter(letter: DecisionLetter) -> bytes:
    """The consolidated decision of every funder, sent to the holder by the committee."""
    story = [
        *_opening(letter, "Chaque financeur a statué sur la part qui le concerne :"),
        *_decisions(letter.lines),
        *_failures("Conditions communes du dispositif non remplies", letter.common_failures),
        *_closing(letter, "l'organisme financeur concerné"),
    ]
    page = PageDecoration(
        issuer=letter.department_name,
        subtitle=COMMITTEE,
        footer=f"Décision du comité des financeurs — réf. {letter.reference}",
    )
    return render(story, page, title=f"Décision — {letter.application_title}")


def funder_letter(letter: FunderLetter) -> bytes:
    """One funder's decision, on that funder's letterhead."""
    story = [
        *_opening(letter, f"{_who(letter)} a statué sur la part qui le concerne :"),
        *_decisions((letter.line,)),
        *_closing(letter, letter.funder_name),
    ]
    page = PageDecoration(
        issuer=letter.funder_name,
        subtitle=f"{COMMITTEE} — {letter.department_name}",
        footer=f"Décision de {letter.funder_name} — réf. {letter.reference}",
    )
    return render(story, page, title=f"Décision — {letter.application_title}")


def _who(letter: FunderLetter) -> str:
    """`Ville de Voiron (Commune)`: the funder, with the French name of its kind when known."""
    kind = letter.line.funder_kind
    return f"{letter.funder_name} ({kind})" if kind else letter.funder_name


def convocation(invitation: Convocation) -> bytes:
    """The invitation to a session with its agenda and the amounts requested."""
    total = sum((requested for _, _, requested in invitation.agenda), Decimal(0))
    rows = [
        (str(number), reference, title, format_money(requested))
        for number, (reference, title, requested) in enumerate(invitation.agenda, start=1)
    ]
    rows.append(("", "", "Total des demandes", format_money(total)))
    story: list[Flowable] = [
        para(f"Le {format_date(invitation.issued_on)}", "right"),
        para(invitation.recipient_name, "address"),
        Spacer(1, 4 * mm),
        labelled("Objet :", f"convocation — {invitation.session_title}"),
        para("Madame, Monsieur,"),
        para(
            "Vous êtes invité(e) à la séance du comité des financeurs qui se tiendra le "
            f"{format_date(invitation.starts_at)}. Chaque financeur y statuera sur sa part "
            "des dossiers inscrits à l'ordre du jour."
        ),
        labelled("Lieu :", invitation.location),
        para(f"Ordre du jour ({_count(len(invitation.agenda), 'dossier')})", "heading"),
        table(
            ("N°", "Référence", "Intitulé", "Montant demandé"),
            rows,
            widths=(0.07, 0.2, 0.53, 0.2),
            numeric=frozenset({0, 3}),
        ),
        signature(*_signed(invitation.chair_name)),
    ]
    page = PageDecoration(
        issuer=COMMITTEE,
        subtitle=invitation.session_title,
        footer=f"Convocation — {invitation.recipient_name}",
    )
    return render(story, page, title=f"Convocation — {invitation.session_title}")


def _opening(letter: DecisionLetter | FunderLetter, who_decided: str) -> list[Flowable]:
    """Date, reference, addressee, subject and the sentence introducing the decisions."""
    address = [para(letter.holder_name, "address")]
    if letter.holder_address:
        address.append(para(letter.holder_address, "address"))
    return [
        para(f"Le {format_date(letter.issued_on)}", "right"),
        para(f"Réf. : {letter.reference}", "small"),
        *address,
        Spacer(1, 4 * mm),
        labelled("Objet :", f"décision du comité des financeurs — {letter.application_title}"),
        para("Madame, Monsieur,"),
        para(
            f"Le comité des financeurs, réuni le {format_date(letter.session_date)} "
            f"({letter.session_title}), a examiné votre demande "
            f"{_quoted(letter.application_title)} présentée au titre du dispositif "
            f"{letter.scheme_label}. {who_decided}"
        ),
    ]


def _count(number: int, noun: str) -> str:
    """`1 dossier`, `2 dossiers` (French plural: above one)."""
    return f"{number} {noun}{'s' if number > 1 else ''}"


def _quoted(text: str) -> str:
    """French quotation marks, held to the text by no-break spaces."""
    return f"«{NBSP}{text}{NBSP}»"


def _decisions(lines: Iterable[FunderLine]) -> list[Flowable]:
    """The table of decisions, then what each decision implies (schedule, convention, reasons)."""
    lines = tuple(lines)
    summary = table(
        ("Financeur", "Décision", "Demandé", "Accordé", "Conditions"),
        (
            (
                _funder(line),
                OUTCOME_LABELS[line.outcome],
                format_money(line.requested),
                format_money(line.amount if line.outcome == "granted" else None),
                line.conditions or "—",
            )
            for line in lines
        ),
        widths=(0.22, 0.12, 0.16, 0.16, 0.34),
        numeric=frozenset({2, 3}),
    )
    story: list[Flowable] = [summary]
    for line in lines:
        consequences = _consequences(line)
        if consequences:
            story.extend([para(line.funder_name, "heading"), *consequences])
    granted = sum(
        (line.amount for line in lines if line.outcome == "granted" and line.amount is not None),
        Decimal(0),
    )
    story.append(labelled("Montant total accordé :", format_money(granted), "heading"))
    return story


def _funder(line: FunderLine) -> str:
    """The funder's name, and on the next line the French name of its kind when known."""
    return f"{line.funder_name}\n{line.funder_kind}" if line.funder_kind else line.funder_name


def _consequences(line: FunderLine) -> list[Flowable]:
    """What one decision means for the holder."""
    if line.outcome == "deferred":
        return [para(DEFERRED)]
    if line.outcome == "refused":
        if not line.reasons:
            return [para("Demande refusée.")]
        return [para("Motifs du refus :"), *_rules(line.reasons)]
    story: list[Flowable] = []
    if line.advance is not None or line.balance is not None:
        schedule = f"Acompte : {format_money(line.advance)} — Solde : {format_money(line.balance)}"
        story.append(labelled("Versement :", schedule))
    if line.convention_required:
        story.append(para(CONVENTION.format(funder=line.funder_name)))
    return story


def _failures(heading: str, failures: tuple[tuple[str, str], ...]) -> list[Flowable]:
    if not failures:
        return []
    return [para(heading, "heading"), *_rules(failures)]


def _rules(results: Iterable[tuple[str, str]]) -> list[Flowable]:
    """Failed rules as bullets `RULE-ID : message`, so the holder can quote them in an appeal."""
    return bullets(f"{rule} : {text}" for rule, text in results)


def _closing(letter: DecisionLetter | FunderLetter, authority: str) -> list[Flowable]:
    return [
        Spacer(1, 4 * mm),
        labelled("Voies de recours :", APPEAL.format(authority=authority)),
        para(
            "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations "
            "distinguées."
        ),
        signature(*_signed(letter.chair_name)),
    ]


def _signed(chair_name: str) -> tuple[str, ...]:
    """Signature lines; the title is not repeated when the chair's name already is the title."""
    lines = [f"Pour le {COMMITTEE.lower()},", chair_name]
    if "présidence" not in chair_name.lower():
        lines.append("Présidence du comité")
    return tuple(lines)
