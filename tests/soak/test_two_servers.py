"""Two `cofinance serve` processes on one PostgreSQL database, sharing no folder (each its own
COFINANCE_DATA_DIR), both serve every document and letter: a document uploaded through one is
downloaded through the other, byte for byte, and so is every letter one of them produced.

Needs COFINANCE_TEST_DATABASE_URL (PostgreSQL): the test creates its own database on that server
and drops it at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from engine.access import Actor
from engine.blobs import blob_content
from engine.migrations import upgrade
from engine.models import Document, Letter, User
from engine.settings import Settings
from tests.soak.harness import (
    PASSWORD,
    Server,
    database,
    ready_to_close,
    seed,
    settle,
    tokens,
)

PG_URL = os.environ.get("COFINANCE_TEST_DATABASE_URL")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(PG_URL is None, reason="needs COFINANCE_TEST_DATABASE_URL (PostgreSQL)"),
]


@pytest.fixture
def backend() -> str:
    return "postgres"


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of its own on the test server, dropped at the end."""
    assert PG_URL is not None
    url = make_url(PG_URL)
    name = f"{url.database}_two_servers_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _token(base_url: str, username: str) -> dict[str, str]:
    response = httpx.post(
        base_url + "/api/v1/auth/token",
        data={"username": username, "password": PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _draft(settings: Settings) -> int:
    """A draft of the association, to upload documents to."""
    from engine.services.applications import create_application
    from tests.api.conftest import reaap_body

    with database(settings) as db:
        with db.reading() as session:
            user = session.exec(select(User).where(User.username == "asso")).one()
            holder = Actor.of(user)
        draft = create_application(db, holder, 1, "Dossier déposé par deux serveurs", reaap_body())
    return draft.id or 0


def _upload(server: Server, headers: dict[str, str], draft_id: int, kind: str) -> int:
    from tests.api.conftest import pdf_bytes

    response = httpx.post(
        f"{server.url}/api/v1/applications/{draft_id}/documents",
        headers=headers,
        data={"kind": kind},
        files={"file": (f"{kind}.pdf", pdf_bytes(), "application/pdf")},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _stored_files(folder: Path) -> list[Path]:
    """What a server keeps on its disk besides its log: nothing of documents or letters."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".pdf", ".bin"))


def test_two_servers_sharing_no_folder_both_serve_every_document_and_letter(
    own_database: str, tmp_path: Path
) -> None:
    common = {"database_url": own_database, "secret_key": "two-servers-secret-key-long-enough"}
    one = Settings(data_dir=tmp_path / "one" / "data", **common)  # type: ignore[arg-type]
    other = Settings(data_dir=tmp_path / "other" / "data", **common)  # type: ignore[arg-type]
    for settings in (one, other):
        settings.data_dir.mkdir(parents=True)
    upgrade(own_database)
    with database(one) as db:
        seed(db, one, applications=2)
    first, second = Server(one), Server(other)
    try:
        first.start()
        second.start()
        holder = _token(first.url, "asso")
        assert _token(second.url, "asso")  # the same accounts, the same secret: either signs in
        # A document uploaded through each server…
        draft = _draft(one)
        uploaded = {
            _upload(first, holder, draft, "budget"): first,
            _upload(second, holder, draft, "rib"): second,
        }
        assert len(uploaded) == 2
        # …and a session closed through the first: its letters produced by the first.
        headers = tokens(first.url)
        with httpx.Client(base_url=first.url + "/api/v1", timeout=120) as client:
            listing = client.get(
                "/applications", params={"state": "eligible"}, headers=headers["chair"]
            ).json()
            eligible = sorted(a["id"] for a in listing["items"])
            assert len(eligible) == 2
            meeting = ready_to_close(client, headers, eligible)
            closed = client.post(f"/sessions/{meeting}/close", headers=headers["chair"])
            assert closed.is_success, closed.text
        with database(one) as db:
            assert settle(db)
            with db.reading() as session:
                documents = {
                    d.id: blob_content(session, d.blob_id) for d in session.exec(select(Document))
                }
                letters = {
                    x.id: blob_content(session, x.blob_id) for x in session.exec(select(Letter))
                }
        assert set(uploaded) <= set(documents)
        assert len(documents) == 2 * 7 + 2  # the seeded files' documents and the two uploads
        kinds = {"decision", "funder", "minutes", "convocation", "pack"}
        assert len(letters) >= 2 * 5 + 1  # two files (holder + four funders), the minutes
        chair = headers["chair"]
        for server in (first, second):
            for document_id, content in documents.items():
                response = httpx.get(
                    f"{server.url}/api/v1/documents/{document_id}", headers=holder, timeout=60
                )
                assert response.status_code == 200, (server.url, document_id, response.text)
                assert response.content == content, (server.url, document_id)
            for letter_id, content in letters.items():
                response = httpx.get(
                    f"{server.url}/api/v1/letters/{letter_id}", headers=chair, timeout=60
                )
                assert response.status_code == 200, (server.url, letter_id, response.text)
                assert response.content == content, (server.url, letter_id)
                assert response.content.startswith(b"%PDF-")
        with database(one) as db, db.reading() as session:
            assert {x.kind for x in session.exec(select(Letter))} == kinds
    finally:
        first.stop()
        second.stop()
    # Neither server kept a document or a letter on its disk: the database holds them all.
    assert _stored_files(one.data_dir) == [] and _stored_files(other.data_dir) == []
