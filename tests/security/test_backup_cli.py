"""`cofinance backup PATH` then `cofinance restore PATH`, as an operator runs them: every row
comes back, and with them every stored document and letter (their content is in the database);
a restore never overwrites a database unless told to."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from engine.db import Database
from engine.settings import Settings

COFINANCE = Path(sys.executable).with_name("cofinance")


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COFINANCE_DATA_DIR": str(settings.data_dir),
        "COFINANCE_DATABASE_URL": settings.effective_database_url,
    }
    return subprocess.run(
        [str(COFINANCE), *args], env=env, capture_output=True, text=True, timeout=120
    )


def rows(url: str) -> dict[str, list[Any]]:
    database = Database(url)
    try:
        with database.reading() as session:
            return {
                table.name: sorted(
                    tuple(str(v) for v in r)
                    for r in session.execute(text(f"SELECT * FROM {table.name}"))
                )
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        database.dispose()


def files(settings: Settings) -> dict[str, str]:
    """Every stored document and letter (table and id) with the digest of its content."""
    database = Database(settings.effective_database_url)
    try:
        with database.reading() as session:
            return {
                f"{table}/{i}": hashlib.sha256(bytes(content)).hexdigest()
                for table in ("documents", "letters")
                for i, content in session.execute(
                    text(f"SELECT t.id, b.content FROM {table} t JOIN blobs b ON b.id = t.blob_id")
                )
            }
    finally:
        database.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_command_line_round_trip_keeps_every_row_and_file(
    api: Any, settings: Settings, tmp_path: Path
) -> None:
    from tests.security.conftest import build_world

    build_world(api)  # files, sessions closed with letters and minutes, events, outbox
    archive = tmp_path / "sauvegarde.tar.gz"
    saved = run(settings, "backup", str(archive))
    assert saved.returncode == 0, saved.stderr
    assert "backup written" in saved.stdout

    target = Settings(
        data_dir=tmp_path / "restored",
        database_url=f"sqlite:///{tmp_path / 'restored' / 'cofinance.sqlite3'}",
    )
    restored = run(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert rows(target.effective_database_url) == rows(settings.effective_database_url)
    assert files(target) == files(settings)
    assert len(files(target)) >= 10
    assert f"{len(files(target))} files" in saved.stdout
    # Nothing outside the database is needed to serve them.
    assert not (target.data_dir / "documents").exists()
    assert not (target.data_dir / "letters").exists()

    again = run(target, "restore", str(archive))
    assert again.returncode == 2
    assert "exists" in again.stderr and "Traceback" not in again.stderr
    forced = run(target, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert rows(target.effective_database_url) == rows(settings.effective_database_url)

    broken = tmp_path / "notes.tar.gz"
    broken.write_bytes(b"not an archive")
    refused = run(target, "restore", "--force", str(broken))
    assert refused.returncode == 2 and "not a cofinance backup" in refused.stderr
