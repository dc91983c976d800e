"""Stores the rendered documents of a session as Letter rows, each with its PDF as a blob
written in the same transaction (engine/blobs.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlmodel import Session

from engine.blobs import new_blob
from engine.models import Funder, Letter, Meeting
from engine.services.letter_content import DecisionDocuments


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
                    "title": f"Décision {documents.reference} — {funder.name}",
                },
            )
        )
    holder_letter, *funder_letters = store_many(session, rows)
    per_funder = [
        (funder, letter)
        for (funder, _), letter in zip(documents.funders, funder_letters, strict=True)
    ]
    return holder_letter, per_funder


def store_convocation(session: Session, meeting: Meeting, pdf: bytes) -> Letter:
    return store(
        session,
        pdf,
        kind="convocation",
        session_id=meeting.id,
        title=f"Convocation {meeting.title}",
    )


def store_pack(session: Session, meeting: Meeting, pdf: bytes) -> Letter:
    """The session pack sent with a convocation (one row per convocation sent: each is the
    pack as it stood when that convocation went out)."""
    return store(
        session,
        pdf,
        kind="pack",
        session_id=meeting.id,
        title=f"Dossier de séance {meeting.title}",
    )


def store_minutes(session: Session, meeting: Meeting, pdf: bytes) -> Letter:
    return store(
        session,
        pdf,
        kind="minutes",
        session_id=meeting.id,
        title=f"Procès-verbal {meeting.title}",
    )
