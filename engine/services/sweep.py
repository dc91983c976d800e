"""Remove the upload temporaries a killed process left in the data folder.

Documents and letters live in the database, each written with its row in one transaction
(engine/blobs.py): a crash leaves no orphan of theirs to clean. What can remain is an upload's
temporary file (`documents/.upload-…`, engine/services/documents.py) when the process died while
the upload streamed in or was being checked. `cofinance serve` and `cofinance scheduler` remove
those once at start (`sweep_at_start`).

Several processes may run side by side (another may be receiving an upload right now), so only
temporaries older than `COFINANCE_ORPHAN_GRACE_SECONDS` are removed; nothing else in the folder
is touched.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from engine.services.documents import UPLOAD_PREFIX
from engine.settings import Settings

log = logging.getLogger("cofinance.sweep")

FOLDER = "documents"  # where uploads stream to


@dataclass
class SweepResult:
    uploads: int = 0  # stale upload temporaries removed
    freed: int = 0  # bytes

    @property
    def total(self) -> int:
        return self.uploads


def sweep_uploads(settings: Settings, now: float | None = None) -> SweepResult:
    """Delete the upload temporaries older than the grace age."""
    cutoff = (time.time() if now is None else now) - settings.orphan_grace_seconds
    result = SweepResult()
    folder = settings.data_dir / FOLDER
    if not folder.is_dir():
        return result
    for path in _stale_uploads(folder, cutoff):
        result.uploads += _remove(path, result)
    return result


def sweep_at_start(settings: Settings) -> SweepResult | None:
    """The sweep of a process start: logged, and never in the way of the start itself."""
    try:
        result = sweep_uploads(settings)
    except Exception:
        log.exception("upload sweep failed; the temporaries stay until the next start")
        return None
    log.info(
        "upload sweep: removed %d stale upload temporaries, %d bytes freed",
        result.uploads,
        result.freed,
    )
    return result


def _stale_uploads(folder: Path, cutoff: float) -> list[Path]:
    uploads: list[Path] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.startswith(UPLOAD_PREFIX):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
            except FileNotFoundError:  # removed meanwhile (another process sweeping)
                continue
            uploads.append(Path(entry.path))
    return uploads


def _remove(path: Path, result: SweepResult) -> int:
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:  # another process swept it first
        return 0
    result.freed += size
    return 1
