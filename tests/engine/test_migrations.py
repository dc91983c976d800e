"""The migrations build exactly the tables the models declare (nothing to autogenerate), and
migration 0005 moves the files of the data folder into the database."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, make_url, text
from sqlmodel import SQLModel, select

import engine.models  # noqa: F401  (declares the tables)
from engine.blobs import blob_content
from engine.db import Database
from engine.migrations import downgrade, upgrade
from engine.models import Blob, Document, Letter
from engine.settings import Settings
from tests.conftest import PG_URL, minimal_pdf


def test_migrated_database_matches_the_models(settings: Settings) -> None:
    database = create_engine(settings.effective_database_url)
    try:
        with database.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        database.dispose()
    assert diff == []


# -- migration 0005: the files of the data folder move into the database ---------------------


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own, empty (PostgreSQL: a sibling of the test database)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    assert PG_URL is not None
    url = make_url(PG_URL)
    name = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rows_of_version_0004(url: str) -> None:
    """A deployment of migration 0004: an application with two documents, two letters."""
    moment = datetime.now(UTC)
    database = create_engine(url)
    with database.begin() as c:
        c.execute(text("INSERT INTO organisations (id, name) VALUES (1, 'Asso')"))
        c.execute(
            text(
                "INSERT INTO users (id, username, name, password_hash, role, active,"
                " token_generation) VALUES (1, 'asso', 'Asso', 'x', 'applicant', true, 0)"
            )
        )
        c.execute(
            text(
                "INSERT INTO calls (id, scheme, title, opens_at, closes_at, state, version)"
                " VALUES (1, 'reaap', 'Reaap', :m, :m, 'open', 1)"
            ),
            {"m": moment},
        )
        c.execute(
            text(
                "INSERT INTO applications (id, call_id, organisation_id, created_by, title, state,"
                " version, data, created_at) VALUES (1, 1, 1, 1, 'Café', 'draft', 1, '{}', :m)"
            ),
            {"m": moment},
        )
        for i, name in [(1, "aaaa.pdf"), (2, "bbbb.png")]:
            c.execute(
                text(
                    "INSERT INTO documents (id, application_id, kind, filename, stored_name,"
                    " content_type, size, sha256, uploaded_by, created_at)"
                    " VALUES (:i, 1, 'rib', 'rib.pdf', :n, 'application/pdf', 1, 'x', 1, :m)"
                ),
                {"i": i, "n": name, "m": moment},
            )
        for i, name in [(1, "cccc.pdf"), (2, "dddd.pdf")]:
            c.execute(
                text(
                    "INSERT INTO letters (id, kind, title, stored_name, created_at)"
                    " VALUES (:i, 'convocation', 'Convocation', :n, :m)"
                ),
                {"i": i, "n": name, "m": moment},
            )
    database.dispose()


def test_migration_0005_moves_the_files_of_the_data_folder_into_the_database(
    empty_database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    upgrade(empty_database, "0004")
    _rows_of_version_0004(empty_database)
    data = tmp_path / "data"
    (data / "documents").mkdir(parents=True)
    (data / "letters").mkdir(parents=True)
    document, letter = minimal_pdf(), minimal_pdf() + b"%letter\n"
    (data / "documents" / "aaaa.pdf").write_bytes(document)
    (data / "letters" / "cccc.pdf").write_bytes(letter)
    # bbbb.png and dddd.pdf are missing: logged, not fatal.

    # Pointed at another (empty) folder, the migration stops and changes nothing.
    with pytest.raises(RuntimeError, match="none of the 4 files"):
        upgrade(empty_database, data_dir=tmp_path / "elsewhere")
    with caplog.at_level(logging.WARNING, logger="cofinance.migrations"):
        upgrade(empty_database, data_dir=data)

    assert "document 2: its file bbbb.png is missing" in caplog.text
    assert "letter 2: its file dddd.pdf is missing" in caplog.text
    db = Database(empty_database)
    try:
        with db.reading() as session:
            documents = {d.id: d for d in session.exec(select(Document))}
            letters = {x.id: x for x in session.exec(select(Letter))}
            assert blob_content(session, documents[1].blob_id) == document
            assert blob_content(session, letters[1].blob_id) == letter
            assert documents[2].blob_id is None and letters[2].blob_id is None
            blob = session.get(Blob, documents[1].blob_id)
            assert blob is not None
            assert blob.size == len(document)
            assert blob.sha256 == hashlib.sha256(document).hexdigest()
        # The migrated database is the models' (stored_name gone, blob_id in place).
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        assert diff == []
    finally:
        db.dispose()

    # And back: the blobs are written out as files again.
    downgrade(empty_database, "0004", data_dir=tmp_path / "back")
    database = create_engine(empty_database)
    with database.connect() as connection:
        names = dict(connection.execute(text("SELECT id, stored_name FROM documents")).all())
    database.dispose()
    assert (tmp_path / "back" / "documents" / names[1]).read_bytes() == document
