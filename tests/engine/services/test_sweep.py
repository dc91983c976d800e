"""The start-up sweep removes the upload temporaries a killed process left (older than the grace
age), and nothing else: documents and letters are rows of the database, with no file to orphan."""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from pathlib import Path

import pytest

from engine.services import sweep
from engine.services.sweep import sweep_at_start, sweep_uploads
from engine.settings import Settings

HOUR = 3600.0


def aged(path: Path, seconds: float = 2 * HOUR, data: bytes = b"%PDF-1.4 partial") -> Path:
    """A file (written if missing) whose last change was `seconds` ago."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    moment = time.time() - seconds
    os.utime(path, (moment, moment))
    return path


def upload(settings: Settings, seconds: float = 2 * HOUR) -> Path:
    return aged(settings.data_dir / "documents" / f".upload-{secrets.token_hex(16)}", seconds)


def test_stale_upload_temporaries_are_removed_and_nothing_else(settings: Settings) -> None:
    assert settings.orphan_grace_seconds == HOUR  # the default
    documents = settings.data_dir / "documents"
    stale = [upload(settings), upload(settings, 30 * 24 * HOUR)]
    # Younger than the grace age: maybe an upload of another process, streaming in now.
    fresh = upload(settings, HOUR - 60)
    # Not ours to judge: files left by a version that stored them on disk (migration 0005
    # moved them into the database and left them as a copy), other hidden files, folders.
    legacy = [
        aged(documents / "0123456789abcdef.pdf"),
        aged(settings.data_dir / "letters" / "a.pdf"),
    ]
    hidden = aged(documents / ".keep")
    folder = documents / ".upload-folder"
    folder.mkdir()
    os.utime(folder, (time.time() - 2 * HOUR,) * 2)
    freed = sum(p.stat().st_size for p in stale)

    result = sweep_uploads(settings)

    assert result.uploads == 2 and result.total == 2 and result.freed == freed
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in [fresh, *legacy, hidden, folder])
    assert sweep_uploads(settings).total == 0  # nothing more the second time
    settings.orphan_grace_seconds = 0  # the grace age is a setting
    assert sweep_uploads(settings).total == 1
    assert not fresh.exists()


def test_a_data_folder_without_documents_is_fine(settings: Settings) -> None:
    assert not (settings.data_dir / "documents").exists()
    assert sweep_uploads(settings).total == 0


def test_two_processes_sweeping_at_once_remove_each_temporary_once(settings: Settings) -> None:
    stale = [upload(settings) for _ in range(300)]
    results = []

    def run() -> None:
        results.append(sweep_uploads(settings))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert sum(r.uploads for r in results) == len(stale)
    assert not any(p.exists() for p in stale)


def test_the_sweep_at_start_logs_what_it_removed_and_never_stops_the_start(
    settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload(settings)
    with caplog.at_level(logging.INFO, logger="cofinance.sweep"):
        result = sweep_at_start(settings)
    assert result is not None and result.total == 1
    assert "upload sweep: removed 1 stale upload temporaries" in caplog.text
    # A failing sweep is logged, the start goes on, the temporaries wait for the next one.
    waiting = upload(settings)

    def broken(_: Settings) -> None:
        raise PermissionError("documents: permission denied")

    monkeypatch.setattr(sweep, "sweep_uploads", broken)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="cofinance.sweep"):
        assert sweep_at_start(settings) is None
    assert "upload sweep failed" in caplog.text
    assert waiting.exists()
