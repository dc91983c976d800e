"""The start-up sweep removes what a crash left in the data folder (files no row references,
upload temporaries) once older than the grace age, and nothing else."""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import select

from engine.db import Database
from engine.models import Document, Letter
from engine.services.letters import store
from engine.services.sweep import sweep_at_start, sweep_orphans
from engine.settings import Settings
from tests.conftest import minimal_pdf

HOUR = 3600.0


def aged(path: Path, seconds: float = 2 * HOUR, data: bytes = b"%PDF-1.4 orphan") -> Path:
    """A file (written if missing) whose last change was `seconds` ago."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    moment = time.time() - seconds
    os.utime(path, (moment, moment))
    return path


def orphan(folder: Path, suffix: str = ".pdf", seconds: float = 2 * HOUR) -> Path:
    return aged(folder / f"{secrets.token_hex(16)}{suffix}", seconds)


def a_letter(db: Database, settings: Settings) -> Path:
    with db.transaction() as session:
        letter = store(session, settings, minimal_pdf(), kind="convocation", title="Convocation")
    return settings.data_dir / "letters" / letter.stored_name


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_old_orphans_and_stale_uploads_are_removed_referenced_and_young_files_kept(
    db: Database, settings: Settings, draft_application: int
) -> None:
    assert settings.orphan_grace_seconds == HOUR  # the default
    documents, letters = settings.data_dir / "documents", settings.data_dir / "letters"
    with db.reading() as session:
        (document,) = session.exec(select(Document)).all()
    # Referenced files, however old, stay.
    referenced_document = aged(documents / document.stored_name, 30 * 24 * HOUR)
    referenced_letter = aged(a_letter(db, settings), 30 * 24 * HOUR)
    old = [orphan(letters), orphan(letters), orphan(documents, ".png"), orphan(documents)]
    # Younger than the grace age: maybe a close or an upload of another process, running now.
    young = [orphan(letters, seconds=HOUR - 60), orphan(documents, ".jpg", seconds=5)]
    stale_upload = aged(documents / ".upload-0123456789abcdef")
    fresh_upload = aged(documents / ".upload-fedcba9876543210", 10)
    # Not ours to judge: other hidden files, folders.
    hidden = aged(letters / ".keep")
    folder = letters / "archive"
    folder.mkdir()
    os.utime(folder, (time.time() - 2 * HOUR,) * 2)
    freed = sum(p.stat().st_size for p in [*old, stale_upload])

    result = sweep_orphans(db, settings)

    assert result.removed == {"documents": 2, "letters": 2}
    assert result.uploads == 1 and result.total == 5 and result.freed == freed
    assert result.skipped == []
    assert not any(p.exists() for p in [*old, stale_upload])
    kept = [referenced_document, referenced_letter, *young, fresh_upload, hidden, folder]
    assert all(p.exists() for p in kept)
    assert referenced_document.read_bytes() == minimal_pdf()
    # Nothing more to do the second time.
    again = sweep_orphans(db, settings)
    assert again.total == 0
    # The grace age is a setting.
    settings.orphan_grace_seconds = 0
    assert sweep_orphans(db, settings).total == 3  # the young ones and the fresh upload
    assert files(documents) == {document.stored_name}
    assert files(letters) == {referenced_letter.name, ".keep", "archive"}


def test_a_folder_the_database_does_not_know_is_left_alone(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Served with another (an empty, a wrong) database, the data folder would look like a
    folder of orphans: it is left alone, with a warning."""
    letters = settings.data_dir / "letters"
    strangers = [orphan(letters) for _ in range(3)]
    with caplog.at_level(logging.WARNING, logger="cofinance.sweep"):
        result = sweep_orphans(db, settings)  # no letter row at all
    assert result.total == 0 and all(p.exists() for p in strangers)
    assert result.skipped == ["letters: the database references no file here (another database?)"]
    assert "left alone" in caplog.text

    # Rows, but none of the files they name is here: another database of the same kind.
    known = a_letter(db, settings)
    known.unlink()
    result = sweep_orphans(db, settings)
    assert result.total == 0 and all(p.exists() for p in strangers)
    assert result.skipped[0].startswith("letters: none of the latest files")

    # Once the folder and the database match, its orphans go.
    a_letter(db, settings)
    assert sweep_orphans(db, settings).removed == {"letters": 3}
    assert not any(p.exists() for p in strangers)


def test_two_processes_sweeping_at_once_remove_each_orphan_once(
    db: Database, settings: Settings
) -> None:
    a_letter(db, settings)
    orphans = [orphan(settings.data_dir / "letters") for _ in range(300)]
    results = []

    def sweep() -> None:
        other = Database(settings.effective_database_url)
        try:
            results.append(sweep_orphans(other, settings))
        finally:
            other.dispose()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert sum(r.removed["letters"] for r in results) == len(orphans)
    assert not any(p.exists() for p in orphans)
    with db.reading() as session:
        (letter,) = session.exec(select(Letter)).all()
    assert (settings.data_dir / "letters" / letter.stored_name).is_file()


def test_the_sweep_at_start_logs_what_it_removed_and_never_stops_the_start(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    a_letter(db, settings)
    orphan(settings.data_dir / "letters")
    with caplog.at_level(logging.INFO, logger="cofinance.sweep"):
        result = sweep_at_start(settings)
    assert result is not None and result.total == 1
    assert "orphan sweep: removed 1 files (1 in letters; 0 stale uploads)" in caplog.text
    # The database out of reach: logged, the start goes on, the files wait for the next one.
    waiting = orphan(settings.data_dir / "letters")
    unreachable = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}"}
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="cofinance.sweep"):
        assert sweep_at_start(unreachable) is None
    assert "orphan sweep failed" in caplog.text
    assert waiting.exists()
