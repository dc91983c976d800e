"""The session pack (dossier de séance) of a session, for the chair and its committee's members:
read live from `GET /sessions/{id}/pack`, and attached to every convocation (engine/services/
production/describe.py), regenerated when an amended convocation goes out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlmodel import Session, col, select

from engine.access import Actor
from engine.clock import now, paris_date
from engine.db import Database
from engine.documents.pack import PackItem, PackLine, SessionPack, session_pack
from engine.models import Application, Funder, Meeting, Organisation, Share
from engine.rulebook import default_registry
from engine.services.calls import get_call
from engine.services.letter_content import flag_sentences
from engine.services.meetings import agenda_of, visible_session
from engine.services.opinions import OpinionLine, opinion_sentence, opinions_of
from engine.services.plans import flags_for


def _computed(application: Application) -> dict[str, Decimal | None]:
    """Each funder's amount as its rules computed it (from the stored trace)."""
    shares = (application.result or {}).get("shares") or {}
    return {
        code: Decimal(str(s["amount"])) if s.get("amount") not in (None, "") else None
        for code, s in shares.items()
    }


def failure_sentences(application: Application, names: dict[str, str]) -> tuple[str, ...]:
    """The rules the file fails, each with its French message; a funder's share refused by its
    own rules is named by the funder (`names`: code → name)."""
    result = application.result or {}
    sentences = [r["message"] for r in result.get("results", []) if not r.get("passed", True)]
    for code, share in (result.get("shares") or {}).items():
        message = share.get("message")
        if share.get("eligible") is False and message and message not in sentences:
            sentences.append(f"{names.get(code, code)} : {message}")
    return tuple(s for s in sentences if s)


def _item(
    session: Session,
    application: Application,
    shares: list[Share],
    funders: dict[int | None, Funder],
    opinions: list[OpinionLine],
) -> PackItem:
    organisation = session.get(Organisation, application.organisation_id)
    scheme = default_registry().schemes.get(get_call(session, application.call_id).scheme)
    computed = _computed(application)
    lines = tuple(
        PackLine(
            funders[s.funder_id].name,
            s.requested,
            computed.get(funders[s.funder_id].code),
            s.proposed,
        )
        for s in shares
    )
    names = {f.code: f.name for f in funders.values()}
    flags = flags_for(application, shares, {f.id or 0: f.code for f in funders.values()})
    budget = application.data.get("budget", {})
    return PackItem(
        reference=application.reference or str(application.id),
        title=application.title,
        holder_name=organisation.name if organisation else "",
        scheme_label=scheme.label if scheme else "",
        total_cost=Decimal(str(budget.get("total_cost", "0"))),
        other_resources=Decimal(str(budget.get("other_resources", "0"))),
        lines=lines,
        project=application.data.get("project"),
        flags=flag_sentences(flags, names),
        failures=failure_sentences(application, names),
        opinions=tuple(opinion_sentence(line) for line in opinions),
    )


def pack_record(
    session: Session, meeting: Meeting, agenda: Sequence[Application] | None = None
) -> SessionPack:
    """What the pack of `meeting` says, as data; `agenda` (in its order) when the caller has it
    (a convocation job's own agenda), else the session's agenda as it is now."""
    files = list(agenda) if agenda is not None else agenda_of(session, meeting)
    ids = [a.id or 0 for a in files]
    funders = {f.id: f for f in session.exec(select(Funder))}
    shares: dict[int, list[Share]] = {i: [] for i in ids}
    query = select(Share).where(col(Share.application_id).in_(ids)).order_by(col(Share.id))
    for share in session.exec(query):
        shares[share.application_id].append(share)
    opinions = opinions_of(session, ids)
    return SessionPack(
        session_title=meeting.title,
        starts_at=meeting.starts_at,
        location=meeting.location,
        items=tuple(
            _item(session, a, shares[a.id or 0], funders, opinions.get(a.id or 0, []))
            for a in files
        ),
        issued_on=paris_date(now()),
    )


def session_pack_pdf(db: Database, actor: Actor, session_id: int) -> bytes:
    """The pack as a PDF; whoever sees the session (`GET /sessions/{id}`) may read it."""
    with db.reading() as session:
        meeting = visible_session(session, actor, session_id)
        record = pack_record(session, meeting)
    return session_pack(record)
