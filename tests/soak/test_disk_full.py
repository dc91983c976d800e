"""The disk holding the documents fills up: uploads are refused with a clear 507 (JSON for the
API, a French page for the pages), nothing half-written is left, no row points to a missing
file, and uploads work again once there is room.

The test mounts a 1 MiB tmpfs over the documents folder (it needs root: `make soak` runs as
root in CI); without the right to mount it says so and skips.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from engine.models import Document
from tests.api.conftest import Api, pdf_of_size
from tests.security.conftest import stored

MIB = 1024 * 1024


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the documents live on disk whatever the database


@pytest.fixture
def api(seeded: Any, db: Any, settings: Any) -> Api:
    return Api(seeded, db, settings)


@pytest.fixture
def small_disk(settings: Any) -> Iterator[Path]:
    folder = settings.data_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (make soak runs as root in CI)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def _pdf(size: int) -> bytes:
    return pdf_of_size(size)  # a real PDF: uploads are parsed


def test_a_full_disk_refuses_uploads_cleanly(api: Api, small_disk: Path) -> None:
    call = api.call()
    draft = api.draft(call["id"])
    path = f"/applications/{draft['id']}/documents"
    accepted = 0
    refusal = None
    for index in range(6):
        response = api.upload(draft["id"], "rib", _pdf(300 * 1024), filename=f"rib{index}.pdf")
        if response.status_code == 201:
            accepted += 1
            continue
        refusal = response
        break
    assert accepted >= 1 and refusal is not None, "the disk never filled up"
    assert refusal.status_code == 507, refusal.text
    body = refusal.json()
    assert body["code"] == "insufficient_storage"
    assert "espace disque insuffisant" in body["detail"] and "storage is full" in body["detail"]

    # A refusal changes nothing, and leaves no half-written file behind.
    before = stored(api.db, api.settings)
    again = api.upload(draft["id"], "statuts", _pdf(400 * 1024))
    assert again.status_code == 507
    assert stored(api.db, api.settings) == before
    assert not [p for p in small_disk.iterdir() if p.name.startswith(".upload-")]
    with api.db.reading() as session:
        documents = list(session.exec(select(Document)))
    assert len(documents) == accepted
    assert all((small_disk / d.stored_name).is_file() for d in documents)
    assert len(api.ok(api.get("asso", path))) == accepted

    # The page says it in French.
    api.client.cookies.clear()
    token = api.headers["asso"]["Authorization"].removeprefix("Bearer ")
    api.client.get(f"/dossiers/{draft['id']}", headers={"Cookie": f"cofinance_session={token}"})
    csrf = api.client.cookies.get("cofinance_csrf")
    page = api.client.post(
        f"/dossiers/{draft['id']}/pieces",
        data={"kind": "budget", "csrf_token": csrf},
        files={"file": ("budget.pdf", _pdf(400 * 1024), "application/pdf")},
        headers={"Cookie": f"cofinance_session={token}; cofinance_csrf={csrf}"},
    )
    assert page.status_code == 507
    assert "Espace de stockage plein" in page.text and "Traceback" not in page.text

    # Room again: uploads work again.
    for document in documents[1:]:
        (small_disk / document.stored_name).unlink()  # what an operator freeing space does…
    # …then a small file goes through.
    assert api.upload(draft["id"], "budget", _pdf(10 * 1024)).status_code == 201
    assert MIB  # the tmpfs size the test mounts
