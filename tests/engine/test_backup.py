"""`cofinance backup` / `cofinance restore`: a round trip keeps every row and every file."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from engine.backup import BackupError, backup, restore
from engine.db import Database
from engine.settings import Settings

TABLES = ("funders", "users", "events", "applications", "documents")


def _counts(url: str) -> dict[str, int]:
    database = Database(url)
    try:
        with database.reading() as session:
            return {
                t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
            }
    finally:
        database.dispose()


def _files(settings: Settings) -> dict[str, str]:
    folder = settings.data_dir / "documents"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_backup_then_restore_gives_back_every_row_and_document(
    draft_application, settings, tmp_path
):
    archive = tmp_path / "backup.tar.gz"
    manifest = backup(settings, archive)
    assert manifest["files"] >= 1

    restored = Settings(
        data_dir=tmp_path / "restored",
        database_url=f"sqlite:///{tmp_path / 'restored' / 'db.sqlite3'}",
    )
    restore(restored, archive)
    assert _counts(restored.effective_database_url) == _counts(settings.effective_database_url)
    assert _files(restored) == _files(settings)

    with pytest.raises(BackupError, match="exists"):
        restore(restored, archive)


def test_restoring_something_that_is_not_a_backup_is_a_clear_error(tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"hello")
    settings = Settings(
        data_dir=tmp_path / "d", database_url=f"sqlite:///{tmp_path / 'd' / 'x.sqlite3'}"
    )
    with pytest.raises(BackupError, match="not a cofinance backup"):
        restore(settings, bogus)
