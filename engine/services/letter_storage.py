"""Stores the rendered documents of a session as Letter rows, each with its PDF as a blob
written in the same transaction (engine/blobs.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import insert
from sqlmodel import Session

from engine.blobs import new_blobs
from engine.clock import now
from engine.models import Funder, Letter, Meeting
from engine.services.letter_content import DecisionDocuments


@dataclass(frozen=True)
class Stored:
    """A letter just stored: its id is what the emails attaching it need."""

    id: int
    blob_id: int


def store(session: Session, pdf: bytes, **fields: object) -> Stored:
    """A letter row and its PDF, in the caller's transaction."""
    return store_many(session, [(pdf, fields)])[0]


def store_many(
    session: Session, letters: Sequence[tuple[bytes, dict[str, object]]]
) -> list[Stored]:
    """Letter rows with their PDFs (blobs), written together in the caller's transaction: the
    blobs in one statement, then the rows pointing to them in another (`fields`: the row's
    kind, title, application_id, session_id, funder_id)."""
    blob_ids = new_blobs(session, [pdf for pdf, _ in letters])
    moment = now()
    table = Letter.__table__  # type: ignore[attr-defined]
    returned = session.execute(
        insert(table).returning(table.c.blob_id, table.c.id),
        [
            {**_EMPTY, **fields, "blob_id": blob_id, "created_at": moment}
            for blob_id, (_, fields) in zip(blob_ids, letters, strict=True)
        ],
    )
    ids: dict[int, int] = dict(returned.all())  # each letter has a blob of its own
    return [Stored(ids[blob_id], blob_id) for blob_id in blob_ids]


# A multi-row INSERT needs every row to name the same columns.
_EMPTY: dict[str, object] = {"application_id": None, "session_id": None, "funder_id": None}


def store_decision_letters(
    session: Session,
    documents: DecisionDocuments,
    meeting: Meeting,
    pdfs: Iterator[bytes],
) -> tuple[Stored, list[tuple[Funder, Stored]]]:
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


def store_convocation(session: Session, meeting: Meeting, pdf: bytes) -> Stored:
    return store(
        session,
        pdf,
        kind="convocation",
        session_id=meeting.id,
        title=f"Convocation {meeting.title}",
    )


def store_pack(session: Session, meeting: Meeting, pdf: bytes) -> Stored:
    """The session pack sent with a convocation (one row per convocation sent: each is the
    pack as it stood when that convocation went out)."""
    return store(
        session,
        pdf,
        kind="pack",
        session_id=meeting.id,
        title=f"Dossier de séance {meeting.title}",
    )


def store_minutes(session: Session, meeting: Meeting, pdf: bytes) -> Stored:
    return store(
        session,
        pdf,
        kind="minutes",
        session_id=meeting.id,
        title=f"Procès-verbal {meeting.title}",
    )
