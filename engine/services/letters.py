"""Builds the documents of a session from the database and stores them as Letter rows."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from engine.access import Actor
from engine.clock import now, paris_date
from engine.documents import letters as render
from engine.documents.minutes import minutes as render_minutes
from engine.documents.model import (
    Convocation,
    DecisionLetter,
    EnvelopeLine,
    FunderLetter,
    FunderLine,
    Minutes,
    MinutesItem,
)
from engine.formatting import format_money
from engine.models import Application, CommitteeSession, Funder, Letter, Organisation, Share, User
from engine.notify.deliver import letters_dir
from engine.rulebook import default_registry
from engine.rulebook.plan import payment_schedule
from engine.services.calls import envelopes_of
from engine.services.plans import envelope_use, flags_for
from engine.settings import Settings

_OUTCOME = {"granted": "granted", "refused": "refused", "deferred": "deferred"}


def store(session: Session, settings: Settings, pdf: bytes, **fields: object) -> Letter:
    name = f"{secrets.token_hex(16)}.pdf"
    (letters_dir(settings) / name).write_bytes(pdf)
    letter = Letter(stored_name=name, **fields)  # type: ignore[arg-type]
    session.add(letter)
    session.flush()
    return letter


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
    return FunderLine(
        funder_code=funder.code,
        funder_name=funder.name,
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
    session: Session, application: Application
) -> tuple[list[tuple[Share, Funder]], dict[str, object]]:
    funders = {f.id: f for f in session.exec(select(Funder))}
    query = select(Share).where(Share.application_id == application.id).order_by(col(Share.id))
    shares = list(session.exec(query))
    flags = flags_for(application, shares, {f.id or 0: f.code for f in funders.values()})
    return [(s, funders[s.funder_id]) for s in shares], flags


def _common_failures(application: Application) -> tuple[tuple[str, str], ...]:
    result = application.result or {}
    if application.eligibility != "ineligible":
        return ()
    return tuple((r["rule"], r["message"]) for r in result.get("results", []) if not r["passed"])


def decision_letters(
    session: Session,
    settings: Settings,
    application: Application,
    meeting: CommitteeSession,
    chair: Actor,
) -> tuple[Letter, list[tuple[Funder, Letter]]]:
    """The consolidated letter to the holder and one letter per funder."""
    organisation = session.get(Organisation, application.organisation_id)
    assert organisation is not None
    plan, flags = _plan(session, application)
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
    pdf = render.decision_letter(
        DecisionLetter(
            **common,
            lines=lines,
            common_failures=_common_failures(application),
            chair_name=chair.name,
        )
    )
    holder_letter = store(
        session,
        settings,
        pdf,
        kind="decision",
        application_id=application.id,
        session_id=meeting.id,
        title=f"Décision {common['reference']}",
    )
    per_funder = []
    for line, (_, funder) in zip(lines, plan, strict=True):
        pdf = render.funder_letter(
            FunderLetter(**common, funder_name=funder.name, line=line, chair_name=chair.name)
        )
        letter = store(
            session,
            settings,
            pdf,
            kind="funder",
            application_id=application.id,
            session_id=meeting.id,
            funder_id=funder.id,
            title=f"Décision {common['reference']} {funder.code}",
        )
        per_funder.append((funder, letter))
    return holder_letter, per_funder


def convocation_letter(
    session: Session,
    settings: Settings,
    meeting: CommitteeSession,
    recipient: str,
    applications: list[Application],
    chair: Actor,
) -> Letter:
    agenda = []
    for application in applications:
        total = sum((Decimal(v) for v in application.data.get("requests", {}).values()), Decimal(0))
        agenda.append((application.reference or str(application.id), application.title, total))
    pdf = render.convocation(
        Convocation(
            session_title=meeting.title,
            starts_at=meeting.starts_at,
            location=meeting.location,
            recipient_name=recipient,
            agenda=tuple(agenda),
            issued_on=paris_date(now()),
            chair_name=chair.name,
        )
    )
    return store(
        session,
        settings,
        pdf,
        kind="convocation",
        session_id=meeting.id,
        title=f"Convocation {meeting.title}",
    )


def minutes_letter(
    session: Session,
    settings: Settings,
    meeting: CommitteeSession,
    applications: list[Application],
    chair: Actor,
    labels: dict[str, str],
) -> Letter:
    items = []
    for application in applications:
        organisation = session.get(Organisation, application.organisation_id)
        plan, flags = _plan(session, application)
        items.append(
            MinutesItem(
                reference=application.reference or str(application.id),
                title=application.title,
                holder_name=organisation.name if organisation else "",
                status_label=labels.get(
                    application.eligibility or "", application.eligibility or ""
                ),
                total_cost=Decimal(application.data.get("budget", {}).get("total_cost", "0")),
                flags=flag_sentences(flags),
                lines=tuple(funder_line(application, s, f, flags) for s, f in plan),
            )
        )
    envelopes = tuple(
        EnvelopeLine(u.name, u.envelope, u.granted, u.proposed, u.exceeded)
        for u in envelope_use(session, meeting.call_id)
    )
    taking_part = set(envelopes_of(session, meeting.call_id))
    members = [
        u
        for u in session.exec(select(User).where(User.active))
        if u.role == "chair" or (u.role == "funder" and u.funder_id in taking_part)
    ]
    pdf = render_minutes(
        Minutes(
            session_title=meeting.title,
            starts_at=meeting.starts_at,
            location=meeting.location,
            chair_name=chair.name,
            attendance=tuple(sorted(u.name for u in members)),
            items=tuple(items),
            envelopes=envelopes,
            issued_on=paris_date(meeting.closed_at or meeting.starts_at),
        )
    )
    return store(
        session,
        settings,
        pdf,
        kind="minutes",
        session_id=meeting.id,
        title=f"Procès-verbal {meeting.title}",
    )


def flag_sentences(flags: dict[str, object]) -> tuple[str, ...]:
    sentences = []
    if "financing_gap" in flags:
        gap = format_money(Decimal(str(flags["financing_gap"])))
        sentences.append(f"Plan de financement incomplet : il manque {gap}.")
    if "over_financing" in flags:
        excess = format_money(Decimal(str(flags["over_financing"])))
        sentences.append(f"Surfinancement de {excess} : les aides dépassent le coût de l'action.")
    funders = flags.get("convention_required")
    if isinstance(funders, list) and funders:
        names = ", ".join(str(f) for f in funders)
        sentences.append(f"Convention obligatoire (loi n° 2000-321, art. 10) : {names}.")
    return tuple(sentences)
