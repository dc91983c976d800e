"""Documents and letters live in the database: a second server process, on another machine with a
data folder of its own (here: another app on the same database, with an empty data folder),
serves them byte for byte; a crash while letters are stored leaves neither rows nor blobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from engine.db import Database
from engine.models import Blob, Letter
from engine.services.letters import store_many
from engine.settings import Settings, get_settings
from tests.conftest import minimal_pdf


def closed_session(api: Any, call_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """An eligible application decided in a closed session: (the application, the session)."""
    application = api.eligible(call_id)
    meeting = api.open_session(call_id, [application["id"]])
    for share in application["shares"]:
        api.ok(
            api.decide(meeting["id"], application["id"], share["funder"], "granted", "100.00"),
            201,
        )
    assert api.move(meeting["id"], "close")["state"] == "closed"
    return application, meeting


def test_a_second_server_with_another_empty_data_folder_serves_documents_and_letters(
    api: Any, reaap_call: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    from api.deps import database
    from api.main import create_app

    draft = api.draft(reaap_call["id"])
    uploaded = api.PNG
    document = api.ok(api.upload(draft["id"], "rib", uploaded, filename="rib.png"), 201)
    application, meeting = closed_session(api, reaap_call["id"])
    (letter,) = api.ok(api.get("asso", f"/applications/{application['id']}/letters"))
    paths = {
        "document": ("asso", f"/documents/{document['id']}"),
        "letter": ("asso", f"/letters/{letter['id']}"),
        "minutes": ("chair", f"/sessions/{meeting['id']}/minutes"),
    }
    first = {name: api.get(user, path) for name, (user, path) in paths.items()}
    assert all(r.status_code == 200 for r in first.values()), first
    assert first["document"].content == uploaded

    # Another process, elsewhere: the same database, a data folder of its own, empty.
    elsewhere = settings.model_copy(update={"data_dir": tmp_path / "elsewhere"})
    other_db = Database(elsewhere.effective_database_url)
    app = create_app()
    app.dependency_overrides[get_settings] = lambda: elsewhere
    app.dependency_overrides[database] = lambda: other_db
    try:
        with TestClient(app) as other:
            second = {
                name: other.get("/api/v1" + path, headers=api.headers[user])
                for name, (user, path) in paths.items()
            }
            page = other.get(
                f"/lettres/{letter['id']}",
                headers={"Cookie": "cofinance_session=" + api.headers["asso"]["Authorization"][7:]},
            )
    finally:
        other_db.dispose()
    for name, response in second.items():
        assert response.status_code == 200, (name, response.text)
        assert response.content == first[name].content, name  # byte for byte
        assert response.headers["content-type"] == first[name].headers["content-type"]
        assert response.headers["content-disposition"] == first[name].headers["content-disposition"]
    assert second["document"].content == uploaded
    assert second["letter"].content.startswith(b"%PDF-")
    assert page.status_code == 200 and page.content == first["letter"].content
    # Nothing was read from, or written to, either data folder.
    assert not [p for p in elsewhere.data_dir.rglob("*") if p.is_file()]
    assert not (settings.data_dir / "letters").exists()
    assert not list((settings.data_dir / "documents").iterdir())


def test_a_crash_while_letters_are_stored_leaves_neither_rows_nor_blobs(db: Database) -> None:
    def counts() -> tuple[int, int]:
        with db.reading() as session:
            return (
                session.exec(select(func.count()).select_from(Letter)).one(),
                session.exec(select(func.count()).select_from(Blob)).one(),
            )

    pdf = minimal_pdf()
    with pytest.raises(RuntimeError, match="power cut"), db.transaction() as session:
        stored = store_many(
            session,
            [(pdf, {"kind": "convocation", "title": f"Convocation {i}"}) for i in range(3)],
        )
        assert all(letter.blob_id is not None for letter in stored)
        assert counts() == (0, 0)  # nothing is visible before the commit…
        raise RuntimeError("power cut")
    assert counts() == (0, 0)  # …and nothing is left after the rollback
    with db.transaction() as session:
        (letter,) = store_many(session, [(pdf, {"kind": "convocation", "title": "Convocation"})])
    with db.reading() as session:
        blob = session.get(Blob, letter.blob_id)
        assert blob is not None and bytes(blob.content) == pdf and blob.size == len(pdf)
    assert counts() == (1, 1)
