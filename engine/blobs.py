"""Stored files as rows: the bytes of documents and letters live in the `blobs` table.

`new_blob` adds the content to the caller's session, so it commits or rolls back with the
document or letter row that points to it: no file on disk to lose, no orphan, and any server
process (on any machine) serves it from the database.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from engine.models import Blob


def new_blob(session: Session, content: bytes, sha256: str | None = None) -> Blob:
    """A blob holding `content`, added to `session` (not flushed: its id comes with the next
    flush, so many blobs go to the database in one round trip)."""
    blob = Blob(
        sha256=sha256 or hashlib.sha256(content).hexdigest(), size=len(content), content=content
    )
    session.add(blob)
    return blob


def blob_content(session: Session, blob_id: int | None) -> bytes | None:
    """The bytes of a blob, or None when there is none (a file missing before migration 0005)."""
    if blob_id is None:
        return None
    content = session.exec(select(Blob.content).where(Blob.id == blob_id)).first()
    return None if content is None else bytes(content)
