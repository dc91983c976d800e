"""Remove the files no row points to: what a crash leaves in the data folder.

A close writes its letters and minutes to `letters/` before its transaction commits, and an
upload writes `documents/.upload-…` before its row exists: a process killed in between leaves
files that nothing references, and nothing else would ever remove them. `cofinance serve` and
`cofinance scheduler` sweep them once at start (`sweep_at_start`).

Several processes may run side by side (another may be closing a session right now), so only
files older than `COFINANCE_ORPHAN_GRACE_SECONDS` are candidates: a close or an upload in
progress writes young files. The folder is listed before the database is asked: a row committed
before the question is seen by it, and only a transaction running for longer than the grace age
could commit a reference to a candidate after it.

A data folder served with the wrong database would look like a folder of orphans. A folder is
therefore swept only when the database references files in it and some of them are there;
otherwise it is left alone, with a warning.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.db import Database
from engine.models import Document, Letter
from engine.settings import Settings

log = logging.getLogger("cofinance.sweep")

# Each folder and the table whose `stored_name` points into it.
FOLDERS: dict[str, type[Document] | type[Letter]] = {"documents": Document, "letters": Letter}
UPLOAD_PREFIX = ".upload-"  # engine/services/documents.py writes uploads there first
_BATCH = 500
_SAMPLE = 20


@dataclass
class SweepResult:
    removed: dict[str, int] = field(default_factory=dict)  # orphans removed, by folder
    uploads: int = 0  # stale upload temporaries removed
    freed: int = 0  # bytes
    skipped: list[str] = field(default_factory=list)  # folders left alone, and why

    @property
    def total(self) -> int:
        return sum(self.removed.values()) + self.uploads


def sweep_orphans(db: Database, settings: Settings, now: float | None = None) -> SweepResult:
    """Delete the files of the data folder no row references that are older than the grace
    age, and the upload temporaries older than it."""
    cutoff = (time.time() if now is None else now) - settings.orphan_grace_seconds
    result = SweepResult()
    for folder, table in FOLDERS.items():
        path = settings.data_dir / folder
        if not path.is_dir():
            continue
        old, stale_uploads = _old_files(path, cutoff)
        for upload in stale_uploads:
            result.uploads += _remove(upload, result)
        if not old:
            result.removed[folder] = 0
            continue
        with db.reading() as session:
            reason = _mismatch(session, table, path)
            if reason is not None:
                result.skipped.append(f"{folder}: {reason}")
                log.warning("orphan sweep: %s left alone: %s", path, reason)
                continue
            referenced = _referenced(session, table, [p.name for p in old])
        result.removed[folder] = sum(_remove(p, result) for p in old if p.name not in referenced)
    return result


def sweep_at_start(settings: Settings) -> SweepResult | None:
    """The sweep of a process start: logged, and never in the way of the start itself (the
    database may be out of reach for now: the next start sweeps)."""
    try:
        db = Database(settings.effective_database_url)
        try:
            result = sweep_orphans(db, settings)
        finally:
            db.dispose()
    except Exception:
        log.exception("orphan sweep failed; the files stay until the next start")
        return None
    log.info(
        "orphan sweep: removed %d files (%s; %d stale uploads), %d bytes freed",
        result.total,
        ", ".join(f"{n} in {folder}" for folder, n in sorted(result.removed.items())) or "none",
        result.uploads,
        result.freed,
    )
    return result


def _old_files(folder: Path, cutoff: float) -> tuple[list[Path], list[Path]]:
    """The regular files older than the cutoff: stored files, and upload temporaries."""
    stored: list[Path] = []
    uploads: list[Path] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
            except FileNotFoundError:  # removed meanwhile (another process sweeping)
                continue
            if entry.name.startswith(UPLOAD_PREFIX):
                uploads.append(Path(entry.path))
            elif not entry.name.startswith("."):
                stored.append(Path(entry.path))
    return stored, uploads


def _mismatch(session: Session, table: type[Document] | type[Letter], folder: Path) -> str | None:
    """Why this database does not seem to be the one of this folder, or None."""
    rows = session.exec(select(func.count()).select_from(table)).one()
    if rows == 0:
        return "the database references no file here (another database?)"
    names = session.exec(
        select(table.stored_name).order_by(col(table.id).desc()).limit(_SAMPLE)
    ).all()
    if not any((folder / name).is_file() for name in names):
        return "none of the latest files the database references is here (another database?)"
    return None


def _referenced(
    session: Session, table: type[Document] | type[Letter], names: Iterable[str]
) -> set[str]:
    names = list(names)
    found: set[str] = set()
    for start in range(0, len(names), _BATCH):
        batch = names[start : start + _BATCH]
        found.update(
            session.exec(select(table.stored_name).where(col(table.stored_name).in_(batch))).all()
        )
    return found


def _remove(path: Path, result: SweepResult) -> int:
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:  # another process swept it first
        return 0
    result.freed += size
    return 1
