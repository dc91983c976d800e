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
    document,
    labelled,
    para,
    render,
    signature,
    table,
)
from engine.formatting import NBSP, format_date, format_money, plural

COMMITTEE = "Comité des financeurs"
# The funder is named in apposition (« ce financeur, Caf de l'Isère ») so that no article has
# to be guessed for a name.
CONVENTION = (
    "Une convention sera signée entre votre organisme et ce financeur ({funder}) : elle précisera "
    "l'objet, le montant, les conditions d'utilisation et les modalités de versement de la "
    "subvention (loi n° 2000-321 du 12 avril 2000, art. 10 ; décret n° 2001-495 du 6 juin 2001)."
)
APPEAL = (
    "recours gracieux auprès {authority} ou recours contentieux devant le tribunal "
    "administratif dans un délai de deux mois à compter de la notification de la présente "
    "décision. Un recours gracieux interrompt le délai du recours contentieux."
)
DEFERRED = "Décision ajournée : votre demande sera réexaminée lors d'une prochaine séance."


@document
def decision_letter(letter: DecisionLetter) -> bytes:
    """The consolidated decision of every funder, sent to the holder by the committee."""
    story = [
        *_opening(letter, "Chaque financeur a statué sur la part qui le concerne :"),
        *_decisions(letter.lines),
        *_failures("Conditions communes du dispositif non remplies", letter.common_failures),
        *_closing(letter, "de l'organisme financeur concerné"),
    ]
    page = PageDecoration(
        issuer=letter.department_name,
        subtitle=COMMITTEE,
        footer=f"Décision du comité des financeurs — réf. {letter.reference}",
    )
    return render(story, page, title=f"Décision — {letter.application_title}")


@document
def funder_letter(letter: FunderLetter) -> bytes:
    """One funder's decision, on that funder's letterhead."""
    story = [
        *_opening(letter, f"Le financeur suivant a statué sur sa part : {_who(letter)}."),
        *_decisions((letter.line,)),
        *_closing(letter, f"de ce financeur ({letter.funder_name})"),
    ]
    page = PageDecoration(
        issuer=letter.funder_name,
        subtitle=f"{COMMITTEE} — {letter.department_name}",
        footer=f"Décision — {letter.funder_name} — réf. {letter.reference}",
    )
    return render(story, page, title=f"Décision — {letter.application_title}")


def _who(letter: FunderLetter) -> str:
    """`Ville de Voiron (Commune)`: the funder, with the French name of its kind when known."""
    kind = letter.line.funder_kind
    return f"{letter.funder_name} ({kind})" if kind else letter.funder_name


@document
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
            # Wide enough for the longest reference (MEDIATION_FAMILIALE-2026-00013) on one
            # line: a table cell would otherwise cut it in the middle.
            widths=(0.06, 0.36, 0.39, 0.19),
            numeric=frozenset({0, 3}),
        ),
        signature(*_signed(invitation.chair_name, invitation.chair_title)),
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
    return plural(number, noun)


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
                # What the funder wrote with a refusal or a deferral is its reason, printed
                # under « Motif » below, not a condition.
                (line.conditions if line.outcome == "granted" else None) or "—",
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
        story = [para(DEFERRED)]
        if line.conditions:
            story.append(labelled("Motif de l'ajournement :", line.conditions))
        return story
    if line.outcome == "refused":
        story = [labelled("Motif :", line.conditions)] if line.conditions else []
        if line.reasons:
            story.extend([para("Règles non remplies :"), *_rules(line.reasons)])
        return story or [para("Demande refusée.")]
    story = []
    if line.advance is not None or line.balance is not None:
        schedule = f"Acompte : {format_money(line.advance)} — Solde : {format_money(line.balance)}"
        story.append(labelled("Versement :", schedule))
        story.append(para(_payment_terms(line)))
    if line.convention_required:
        story.append(para(CONVENTION.format(funder=line.funder_name)))
    return story


def _payment_terms(line: FunderLine) -> str:
    """When each part of the schedule is paid (DESIGN §10): the advance when the agreement comes
    into force, the balance once the final report (compte rendu financier) is approved."""
    start = (
        "après la signature de la convention"
        if line.convention_required
        else "à la notification de la présente décision"
    )
    if line.balance is None or line.balance <= 0:
        return f"La subvention de {format_money(line.advance)} est versée en une fois, {start}."
    return (
        f"L'acompte de {format_money(line.advance)} est versé {start} ; le solde de "
        f"{format_money(line.balance)} est versé après l'approbation du compte rendu financier "
        "de l'action, qui en arrête le montant définitif au vu des dépenses réelles."
    )


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
        # The signature never stands alone at the top of a page: it keeps the appeal rights and
        # the closing sentence with it.
        signature(
            *_signed(letter.chair_name, letter.chair_title),
            after=[
                labelled("Voies de recours :", APPEAL.format(authority=authority)),
                para(
                    "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos "
                    "salutations distinguées."
                ),
            ],
        ),
    ]


def _signed(name: str, title: str) -> tuple[str, ...]:
    """Signature lines: for the committee, the signatory's name and job title (`name, title`)."""
    return (f"Pour le {COMMITTEE.lower()},", f"{name}, {title}" if title else name)
