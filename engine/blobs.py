"""Stored files as rows: the bytes of documents and letters live in the `blobs` table.

`new_blob` adds the content to the caller's session, so it commits or rolls back with the
document or letter row that points to it: no file on disk to lose, no orphan, and any server
process (on any machine) serves it from the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import insert
from sqlmodel import Session, select

from engine.clock import now
from engine.models import Blob


def new_blob(session: Session, content: bytes, sha256: str | None = None) -> Blob:
    """A blob holding `content`, added to `session` (not flushed: its id comes with the next
    flush, so many blobs go to the database in one round trip)."""
    blob = Blob(
        sha256=sha256 or hashlib.sha256(content).hexdigest(), size=len(content), content=content
    )
    session.add(blob)
    return blob


def new_blobs(session: Session, contents: Sequence[bytes]) -> list[int]:
    """Blobs holding `contents`, written now in one statement; their ids, in order. A close
    stores thousands of letters: rows, not ORM objects, and one round trip."""
    if not contents:
        return []
    moment = now()
    hashes = [hashlib.sha256(content).hexdigest() for content in contents]
    table = Blob.__table__  # type: ignore[attr-defined]
    returned = session.execute(
        insert(table).returning(table.c.sha256, table.c.id),
        [
            {"sha256": digest, "size": len(content), "content": content, "created_at": moment}
            for digest, content in zip(hashes, contents, strict=True)
        ],
    )
    # The rows come back in no guaranteed order: matched by their hash (two blobs of the same
    # bytes are interchangeable: each still gets a row of its own).
    ids: dict[str, list[int]] = {}
    for digest, blob_id in returned:
        ids.setdefault(digest, []).append(blob_id)
    return [ids[digest].pop() for digest in hashes]


def blob_content(session: Session, blob_id: int | None) -> bytes | None:
    """The bytes of a blob, or None when there is none (a file missing before migration 0005)."""
    if blob_id is None:
        return None
    content = session.exec(select(Blob.content).where(Blob.id == blob_id)).first()
    return None if content is None else bytes(content)
