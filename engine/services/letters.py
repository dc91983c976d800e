"""Builds the documents of a session from the database and stores them as Letter rows, each
with its PDF as a blob written in the same transaction (engine/blobs.py)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from engine import lifeline
from engine.access import Actor
from engine.blobs import new_blob
from engine.clock import paris_date
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
from engine.models import Application, Funder, Letter, Meeting, Organisation, Share, User
from engine.rulebook import default_registry
from engine.rulebook.plan import payment_schedule
from engine.services.calls import envelopes_of
from engine.services.plans import envelope_use, flags_for
from engine.settings import Settings

_OUTCOME = {"granted": "granted", "refused": "refused", "deferred": "deferred"}


def store(session: Session, pdf: bytes, **fields: object) -> Letter:
    """A letter row and its PDF, in the caller's transaction."""
    return store_many(session, [(pdf, fields)])[0]


def store_many(
    session: Session, letters: Sequence[tuple[bytes, dict[str, object]]]
) -> list[Letter]:
    """Letter rows with their PDFs (blobs), written together in the caller's transaction: the
    blobs in one flush, then the rows pointing to them in another."""
    blobs = [new_blob(session, pdf) for pdf, _ in letters]
    session.flush()
    rows = [
        Letter(blob_id=blob.id, **fields)  # type: ignore[arg-type]
        for blob, (_, fields) in zip(blobs, letters, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    return rows


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
) -> tuple[list[tuple[Share, Funder]], dict[str, object]]:
    """The shares of an application (by id) with their funders, and the plan's flags.

    `funders` (every funder by id) and `shares` may be given when the caller has them already.
    """
    if funders is None:
        funders = {f.id: f for f in session.exec(select(Funder))}
    if shares is None:
        query = select(Share).where(Share.application_id == application.id).order_by(col(Share.id))
        shares = list(session.exec(query))
    flags = flags_for(application, shares, {f.id or 0: f.code for f in funders.values()})
    return [(s, funders[s.funder_id]) for s in shares], flags


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
) -> DecisionDocuments:
    """The consolidated letter to the holder and one letter per funder, as data."""
    organisation = session.get(Organisation, application.organisation_id)
    assert organisation is not None
    plan, flags = _plan(session, application, funders, shares)
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
    holder = DecisionLetter(
        **common,
        lines=lines,
        common_failures=_common_failures(application),
        chair_name=chair.name,
    )
    per_funder = tuple(
        (funder, FunderLetter(**common, funder_name=funder.name, line=line, chair_name=chair.name))
        for line, (_, funder) in zip(lines, plan, strict=True)
    )
    return DecisionDocuments(application, common["reference"], holder, per_funder)


def store_decision_letters(
    session: Session,
    documents: DecisionDocuments,
    meeting: Meeting,
    pdfs: Iterator[bytes],
) -> tuple[Letter, list[tuple[Funder, Letter]]]:
    """Store the rendered letters of `documents` (the PDFs in the order of its documents()),
    their rows written together."""
    application = documents.application
    rows: list[tuple[bytes, dict[str, object]]] = [
        (
            next(pdfs),
            {
                "kind": "decision",
                "application_id": application.id,
                "session_id": meeting.id,
                "title": f"Décision {documents.reference}",
            },
        )
    ]
    for funder, _ in documents.funders:
        rows.append(
            (
                next(pdfs),
                {
                    "kind": "funder",
                    "application_id": application.id,
                    "session_id": meeting.id,
                    "funder_id": funder.id,
                    "title": f"Décision {documents.reference} {funder.code}",
                },
            )
        )
    holder_letter, *funder_letters = store_many(session, rows)
    per_funder = [
        (funder, letter)
        for (funder, _), letter in zip(documents.funders, funder_letters, strict=True)
    ]
    return holder_letter, per_funder


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


def store_convocation(session: Session, meeting: Meeting, pdf: bytes) -> Letter:
    return store(
        session,
        pdf,
        kind="convocation",
        session_id=meeting.id,
        title=f"Convocation {meeting.title}",
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
    for application in applications:
        organisation = session.get(Organisation, application.organisation_id)
        plan, flags = _plan(
            session, application, funders, None if shares is None else shares[application.id]
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
    return Minutes(
        session_title=meeting.title,
        starts_at=meeting.starts_at,
        location=meeting.location,
        chair_name=chair.name,
        attendance=tuple(sorted(u.name for u in members)),
        items=tuple(items),
        envelopes=envelopes,
        issued_on=paris_date(meeting.closed_at or meeting.starts_at),
    )


def store_minutes(session: Session, meeting: Meeting, pdf: bytes) -> Letter:
    return store(
        session,
        pdf,
        kind="minutes",
        session_id=meeting.id,
        title=f"Procès-verbal {meeting.title}",
    )


# -- rendering, in parallel when there are many documents ----------------------------------------

Document = DecisionLetter | FunderLetter | Minutes | Convocation
# Below this many documents, starting worker processes costs more than it saves.
PARALLEL_FROM = 64
_CHUNK = 8


def _render(document: Document) -> bytes:
    if isinstance(document, DecisionLetter):
        return render.decision_letter(document)
    if isinstance(document, FunderLetter):
        return render.funder_letter(document)
    if isinstance(document, Convocation):
        return render.convocation(document)
    return render_minutes(document)


def _render_chunk(documents: Sequence[Document]) -> list[bytes]:
    return [_render(d) for d in documents]


def render_workers() -> int:
    """One rendering process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool_context() -> multiprocessing.context.BaseContext:
    # Never fork the server itself (its threads may hold locks): workers come from a fresh
    # process that has imported the renderer once (forkserver), or are spawned.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


# The pools rendering right now, shut down when the app stops (api/main.py lifespan).
_POOLS: set[ProcessPoolExecutor] = set()
_POOLS_LOCK = threading.Lock()


def render_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes that end with this process, even when it is killed (engine/lifeline.py):
    a SIGKILLed server leaves neither workers nor forkserver nor resource tracker behind."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=lifeline.start_watching,
        initargs=(lifeline.Parent.current(),),
    )


def stop_render_workers() -> None:
    """End the workers of the pools still rendering (the app stopping while a close runs): they
    finish the chunk they hold; the chunks not started are rendered by the close itself."""
    with _POOLS_LOCK:
        pools = list(_POOLS)
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


def render_documents(
    documents: Iterable[Document], workers: int | None = None, parallel_from: int = PARALLEL_FROM
) -> Generator[bytes, None, None]:
    """The PDF of each document, in order. Rendering is pure CPU work (reportlab): with many
    documents and several cores it runs in worker processes, and the PDFs come back as they are
    ready, so the caller stores the first ones while the next are being rendered. Documents are
    rendered with `invariant=True`: the bytes are the same whichever process renders them."""
    documents = list(documents)
    workers = render_workers() if workers is None else workers
    if workers < 2 or len(documents) < parallel_from:
        yield from (_render(d) for d in documents)
        return
    chunks: list[list[Document]] = []
    for document in documents:
        # Long minutes go alone: started first, they do not hold back the letters after them.
        if isinstance(document, Minutes) or not chunks or len(chunks[-1]) >= _CHUNK:
            chunks.append([])
        chunks[-1].append(document)
        if isinstance(document, Minutes):
            chunks.append([])
    chunks = [chunk for chunk in chunks if chunk]
    first = sorted(range(len(chunks)), key=lambda i: not isinstance(chunks[i][0], Minutes))
    pool = render_pool(workers)
    with _POOLS_LOCK:
        _POOLS.add(pool)
    try:
        futures = {i: pool.submit(_render_chunk, chunks[i]) for i in first}
        for index in range(len(chunks)):
            future = futures[index]
            # Caught up with the workers: render the next chunk here rather than wait for it.
            if future.cancel():
                yield from _render_chunk(chunks[index])
                continue
            try:
                pdfs = future.result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): carry on here
                pdfs = _render_chunk(chunks[index])
            yield from pdfs
    finally:
        # Also when the caller gives up half-way (an error): drop what is not rendered yet.
        pool.shutdown(wait=True, cancel_futures=True)
        with _POOLS_LOCK:
            _POOLS.discard(pool)


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
