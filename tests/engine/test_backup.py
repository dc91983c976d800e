"""`cofinance backup` / `cofinance restore`: a round trip keeps every row, and so every document
and letter (their content is in the database)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from engine.backup import BackupError, backup, restore
from engine.db import Database
from engine.settings import Settings

TABLES = ("funders", "users", "events", "applications", "documents", "blobs")


def _counts(url: str) -> dict[str, int]:
    database = Database(url)
    try:
        with database.reading() as session:
            return {
                t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
            }
    finally:
        database.dispose()


def _files(settings: Settings) -> dict[int, str]:
    """Each document's id and the digest of its content, read from the database."""
    database = Database(settings.effective_database_url)
    try:
        with database.reading() as session:
            rows = session.execute(
                text("SELECT d.id, b.content FROM documents d JOIN blobs b ON b.id = d.blob_id")
            ).all()
    finally:
        database.dispose()
    return {i: hashlib.sha256(bytes(content)).hexdigest() for i, content in rows}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_backup_then_restore_gives_back_every_row_and_document(
    draft_application, settings, tmp_path
):
    archive = tmp_path / "backup.tar.gz"
    manifest = backup(settings, archive)
    assert manifest["files"] >= 1
    assert manifest["stored"] == {"documents": 1, "letters": 0}

    restored = Settings(
        data_dir=tmp_path / "restored",
        database_url=f"sqlite:///{tmp_path / 'restored' / 'db.sqlite3'}",
    )
    restore(restored, archive)
    assert _counts(restored.effective_database_url) == _counts(settings.effective_database_url)
    assert _files(restored) == _files(settings) != {}
    assert not (restored.data_dir / "documents").exists()  # nothing needed outside the database

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


def test_a_postgresql_deployment_is_backed_up_with_pg_dump(tmp_path):
    settings = Settings(
        data_dir=tmp_path / "d", database_url="postgresql+psycopg://cofinance@db.invalid/cofinance"
    )
    with pytest.raises(BackupError, match="pg_dump"):
        backup(settings, tmp_path / "backup.tar.gz")
