"""What the documents of a session say, built from the database as data (engine/documents/
model.py) before they are rendered: decision letters, convocations, minutes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from engine.access import Actor
from engine.clock import paris_date
from engine.documents.model import (
    Convocation,
    DecisionLetter,
    EnvelopeLine,
    FunderLetter,
    FunderLine,
    Minutes,
    MinutesItem,
)
from engine.documents.pack import SessionPack
from engine.formatting import format_money
from engine.models import Application, Funder, Meeting, Organisation, Share, User
from engine.rulebook import default_registry
from engine.rulebook.plan import payment_schedule
from engine.services.agreements import CumulatedGrants, convention_funders
from engine.services.conflicts import recusals_of
from engine.services.meetings import call_ids_of
from engine.services.minutes_attendance import attendance_sentences, quorum_sentence
from engine.services.opinions import opinion_sentence, opinions_of
from engine.services.plans import envelope_use, flags_for
from engine.settings import Settings

# The session pack travels with each convocation (engine/services/session_pack.py).
Document = DecisionLetter | FunderLetter | Minutes | Convocation | SessionPack
_OUTCOME = {"granted": "granted", "refused": "refused", "deferred": "deferred"}


def _advance_rate(application: Application, funder: Funder) -> Decimal:
    if funder.advance_rate is not None:
        return funder.advance_rate
    assert application.reference_date is not None
    value = (
        default_registry().parameters["payment.advance_rate"].at(application.reference_date).value
    )
    assert isinstance(value, Decimal)
    return value


def funder_line(
    application: Application, share: Share, funder: Funder, flags: dict[str, object]
) -> FunderLine:
    outcome = share.state if share.state in _OUTCOME else "deferred"
    amount = share.granted if share.state == "granted" else None
    advance = balance = None
    if amount is not None and amount > 0:
        schedule = payment_schedule(amount, _advance_rate(application, funder))
        advance, balance = Decimal(schedule["advance"]), Decimal(schedule["balance"])
    messages = {r["rule"]: r["message"] for r in (application.result or {}).get("results", [])}
    share_result = (application.result or {}).get("shares", {}).get(funder.code, {})
    reasons = tuple((rid, share_result.get("message", "")) for rid in share.failed)
    if share.state == "refused" and application.eligibility == "ineligible":
        reasons += tuple(
            (rid, messages.get(rid, "")) for rid in (application.result or {}).get("failed", [])
        )
    convention = funder.code in flags.get("convention_required", [])  # type: ignore[operator]
    kind = default_registry().funders.get(funder.kind)
    return FunderLine(
        funder_code=funder.code,
        funder_name=funder.name,
        # The French name of the funder's kind, as its rule module declares it.
        funder_kind=kind.label if kind is not None else "",
        outcome=outcome,  # type: ignore[arg-type]
        requested=share.requested,
        amount=amount,
        conditions=share.conditions,
        advance=advance,
        balance=balance,
        convention_required=convention and share.state == "granted",
        reasons=reasons,
        proposed=share.proposed,
    )


def _plan(
    session: Session,
    application: Application,
    funders: dict[int | None, Funder] | None = None,
    shares: list[Share] | None = None,
    grants: CumulatedGrants | None = None,
) -> tuple[list[tuple[Share, Funder]], dict[str, object]]:
    """The shares of an application (by id) with their funders, and the plan's flags.

    `funders` (every funder by id), `shares` and `grants` may be given when the caller has them
    already.
    """
    if funders is None:
        funders = {f.id: f for f in session.exec(select(Funder))}
    if shares is None:
        query = select(Share).where(Share.application_id == application.id).order_by(col(Share.id))
        shares = list(session.exec(query))
    codes = {f.id or 0: f.code for f in funders.values()}
    flags = flags_for(application, shares, codes)
    # A convention is announced by the cumulated rule the agreements follow (all the funder's
    # grants to the organisation for the year), not by this share alone.
    flags.pop("convention_required", None)
    if conventions := convention_funders(session, application, shares, codes, grants):
        flags["convention_required"] = conventions
    return [(s, funders[s.funder_id]) for s in shares], flags


def signatory(session: Session, actor: Actor) -> tuple[str, str]:
    """Who signs for the committee, as (name, job title): the chair who acted, else (an
    administrator or the scheduler acting) the committee's chair; a person, never a role."""
    user = session.get(User, actor.id) if actor.id is not None else None
    if user is None or user.role != "chair":
        query = select(User).where(User.role == "chair", User.active).order_by(col(User.id))
        user = session.exec(query).first() or user
    if user is None:
        return actor.name, ""
    return user.name, user.title or ""


def _common_failures(application: Application) -> tuple[tuple[str, str], ...]:
    result = application.result or {}
    if application.eligibility != "ineligible":
        return ()
    return tuple((r["rule"], r["message"]) for r in result.get("results", []) if not r["passed"])


@dataclass(frozen=True)
class DecisionDocuments:
    """What the letters of one decided application say, before they are rendered."""

    application: Application
    reference: str
    holder: DecisionLetter
    funders: tuple[tuple[Funder, FunderLetter], ...]

    def documents(self) -> list[Document]:
        return [self.holder, *(letter for _, letter in self.funders)]


def decision_documents(
    session: Session,
    settings: Settings,
    application: Application,
    meeting: Meeting,
    chair: Actor,
    funders: dict[int | None, Funder] | None = None,
    shares: list[Share] | None = None,
    grants: CumulatedGrants | None = None,
) -> DecisionDocuments:
    """The consolidated letter to the holder and one letter per funder, as data."""
    organisation = session.get(Organisation, application.organisation_id)
    assert organisation is not None
    plan, flags = _plan(session, application, funders, shares, grants)
    lines = tuple(funder_line(application, share, funder, flags) for share, funder in plan)
    scheme = default_registry().schemes[(application.result or {}).get("scheme", "")]
    common: dict[str, Any] = {
        "reference": application.reference or str(application.id),
        "issued_on": paris_date(meeting.closed_at or meeting.starts_at),
        "department_name": f"Département : {settings.department_name}",
        "holder_name": organisation.name,
        "holder_address": organisation.address,
        "application_title": application.title,
        "scheme_label": scheme.label,
        "session_title": meeting.title,
        "session_date": paris_date(meeting.starts_at),
    }
    signer, title = signatory(session, chair)
    common["chair_name"], common["chair_title"] = signer, title
    holder = DecisionLetter(
        **common,
        lines=lines,
        common_failures=_common_failures(application),
    )
    per_funder = tuple(
        (funder, FunderLetter(**common, funder_name=funder.name, line=line))
        for line, (_, funder) in zip(lines, plan, strict=True)
    )
    return DecisionDocuments(application, common["reference"], holder, per_funder)


def convocation_document(
    meeting: Meeting,
    recipient: str,
    applications: list[Application],
    chair_name: str,
    issued_on: date,
) -> Convocation:
    """One member's convocation, as data: the session, its agenda and the amounts requested."""
    agenda = []
    for application in applications:
        total = sum((Decimal(v) for v in application.data.get("requests", {}).values()), Decimal(0))
        agenda.append((application.reference or str(application.id), application.title, total))
    return Convocation(
        session_title=meeting.title,
        starts_at=meeting.starts_at,
        location=meeting.location,
        recipient_name=recipient,
        agenda=tuple(agenda),
        issued_on=issued_on,
        chair_name=chair_name,
    )


def minutes_document(
    session: Session,
    settings: Settings,
    meeting: Meeting,
    applications: list[Application],
    chair: Actor,
    labels: dict[str, str],
    funders: dict[int | None, Funder] | None = None,
    shares: dict[int | None, list[Share]] | None = None,
) -> Minutes:
    """What the minutes say; `funders` and `shares` (by application) when already loaded."""
    items = []
    recusals = recusals_of(session, meeting)
    opinions = opinions_of(session, [a.id or 0 for a in applications])
    grants = CumulatedGrants.for_files(session, applications)
    for application in applications:
        organisation = session.get(Organisation, application.organisation_id)
        plan, flags = _plan(
            session,
            application,
            funders,
            None if shares is None else shares[application.id],
            grants,
        )
        items.append(
            MinutesItem(
                reference=application.reference or str(application.id),
                title=application.title,
                holder_name=organisation.name if organisation else "",
                status_label=labels.get(
                    application.eligibility or "", application.eligibility or ""
                ),
                total_cost=Decimal(application.data.get("budget", {}).get("total_cost", "0")),
                flags=flag_sentences(flags, {f.code: f.name for _, f in plan}),
                lines=tuple(funder_line(application, s, f, flags) for s, f in plan),
                recusals=recusals.get(application.id or 0, ()),
                opinions=tuple(map(opinion_sentence, opinions.get(application.id or 0, []))),
            )
        )
    envelopes = tuple(
        EnvelopeLine(u.name, u.envelope, u.granted, u.proposed, u.exceeded)
        for call_id in call_ids_of(session, meeting)  # a session may hold several calls
        for u in envelope_use(session, call_id)
    )
    signer, title = signatory(session, chair)
    return Minutes(
        session_title=meeting.title,
        starts_at=meeting.starts_at,
        location=meeting.location,
        chair_name=signer,
        chair_title=title,
        attendance=attendance_sentences(session, meeting),
        quorum=quorum_sentence(session, meeting),
        items=tuple(items),
        envelopes=envelopes,
        issued_on=paris_date(meeting.closed_at or meeting.starts_at),
    )


def flag_sentences(
    flags: dict[str, object], funder_names: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The plan's flags as French sentences; funders by name (`funder_names`: code → name)."""
    names_of = funder_names or {}
    sentences = []
    if "financing_gap" in flags:
        gap = format_money(Decimal(str(flags["financing_gap"])))
        sentences.append(f"Plan de financement incomplet : il manque {gap}.")
    if "over_financing" in flags:
        excess = format_money(Decimal(str(flags["over_financing"])))
        sentences.append(f"Surfinancement de {excess} : les aides dépassent le coût de l'action.")
    funders = flags.get("convention_required")
    if isinstance(funders, list) and funders:
        names = ", ".join(names_of.get(str(f), str(f)) for f in funders)
        sentences.append(f"Convention obligatoire (loi n° 2000-321, art. 10) : {names}.")
    return tuple(sentences)
