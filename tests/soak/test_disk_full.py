"""The disk uploads stream to fills up: uploads are refused with a clear 507 (JSON for the API, a
French page for the pages), nothing half-written is left (no row, no blob, no temporary), and
uploads work again once there is room.

Uploads stream to a temporary under `<data folder>/documents` before their checked bytes go
into the database: the test mounts a 1 MiB tmpfs over that folder and fills it with a ballast
file (it needs root: `make soak` runs as root in CI); without the right to mount it says so and
skips.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from engine.blobs import blob_content
from engine.models import Document
from tests.api.conftest import Api, pdf_of_size
from tests.security.conftest import stored

MIB = 1024 * 1024


@pytest.fixture
def backend() -> str:
    return "sqlite"  # uploads stream to the disk whatever the database


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
    # Room enough: an upload streams to the tmpfs, then goes into the database.
    assert api.upload(draft["id"], "rib", _pdf(300 * 1024), filename="rib.pdf").status_code == 201
    assert list(small_disk.iterdir()) == []
    # Then the disk fills up (another program, logs…): 200 KiB left.
    ballast = small_disk / "ballast"
    ballast.write_bytes(b"\0" * (MIB - 200 * 1024))
    refusal = api.upload(draft["id"], "statuts", _pdf(300 * 1024), filename="statuts.pdf")
    assert refusal.status_code == 507, refusal.text
    body = refusal.json()
    assert body["code"] == "insufficient_storage"
    assert body["detail"] == "L'espace de stockage est plein : rien n'a été enregistré."

    # A refusal changes nothing, and leaves no half-written file behind.
    before = stored(api.db, api.settings)
    again = api.upload(draft["id"], "statuts", _pdf(400 * 1024))
    assert again.status_code == 507
    assert stored(api.db, api.settings) == before
    assert [p.name for p in small_disk.iterdir()] == ["ballast"]
    with api.db.reading() as session:
        documents = list(session.exec(select(Document)))
        assert len(documents) == 1
        assert blob_content(session, documents[0].blob_id) == _pdf(300 * 1024)
    assert len(api.ok(api.get("asso", path))) == 1

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

    # Room again (what an operator freeing space does): uploads work again.
    ballast.unlink()
    assert api.upload(draft["id"], "budget", _pdf(300 * 1024)).status_code == 201
    assert list(small_disk.iterdir()) == []
