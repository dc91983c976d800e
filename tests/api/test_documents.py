"""Supporting documents: recognised by their content, size-limited, stored under generated names."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest


@pytest.fixture
def draft(api: Any, reaap_call: dict[str, Any]) -> dict[str, Any]:
    return api.draft(reaap_call["id"])


def stored(api: Any) -> list[Any]:
    return [p for p in api.stored_files("documents") if p.is_file()]


def test_pdf_png_and_jpeg_are_recognised_by_their_content(api: Any, draft: dict[str, Any]) -> None:
    uploads = [
        ("cerfa_12156", "cerfa.pdf", api.pdf, "application/pdf", "application/pdf"),
        # The declared type and the name do not matter, the first bytes do.
        ("rib", "rib.bin", api.PNG, "application/octet-stream", "image/png"),
        ("statuts", "statuts.pdf", api.JPEG, "application/pdf", "image/jpeg"),
    ]
    for kind, name, content, declared, expected in uploads:
        document = api.ok(
            api.upload(draft["id"], kind, content, filename=name, content_type=declared), 201
        )
        assert document["kind"] == kind
        assert document["filename"] == name
        assert document["content_type"] == expected
        assert document["size"] == len(content)
        assert document["sha256"] == hashlib.sha256(content).hexdigest()
    listed = api.ok(api.get("asso", f"/applications/{draft['id']}/documents"))
    assert sorted(d["kind"] for d in listed) == ["cerfa_12156", "rib", "statuts"]
    assert api.application(draft["id"])["application"]["documents"] == [
        "cerfa_12156",
        "rib",
        "statuts",
    ]
    assert sorted(p.suffix for p in stored(api)) == [".jpg", ".pdf", ".png"]
    events = [e for e in api.events(draft["id"]) if e["action"] == "add_document"]
    assert [e["data"]["kind"] for e in events] == ["cerfa_12156", "rib", "statuts"]


NOT_ACCEPTED = {
    "text": b"Ceci n'est pas un PDF, juste du texte.\n",
    "html": b"<html><body>%PDF-1.4</body></html>",
    "empty": b"",
    "gif": b"GIF89a\x01\x00\x01\x00",
    "pdf too late": b" %PDF-1.4\n",
}


def test_a_file_that_is_not_pdf_png_or_jpeg_is_refused_whatever_its_name(
    api: Any, draft: dict[str, Any]
) -> None:
    for case, content in NOT_ACCEPTED.items():
        response = api.invalid(
            "file",
            "asso",
            "POST",
            f"/applications/{draft['id']}/documents",
            data={"kind": "rib"},
            files={"file": ("rib.pdf", content, "application/pdf")},
            watch=[draft["id"]],
        )
        assert response.json()["errors"][0]["field"] == "file", case
    assert stored(api) == []


def test_a_file_over_the_size_limit_is_refused_and_leaves_nothing_behind(
    api: Any, draft: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 200 * 1024
    monkeypatch.setattr(api.settings, "upload_max_bytes", limit)
    too_big = b"%PDF-1.4\n" + b"0" * limit  # a valid head, one chunk after another
    response = api.invalid(
        "file",
        "asso",
        "POST",
        f"/applications/{draft['id']}/documents",
        data={"kind": "budget"},
        files={"file": ("budget.pdf", too_big, "application/pdf")},
        watch=[draft["id"]],
    )
    assert response.status_code == 422
    assert stored(api) == []  # neither the file nor a temporary part of it
    # Exactly at the limit is fine.
    at_limit = too_big[:limit]
    document = api.ok(api.upload(draft["id"], "budget", at_limit, filename="budget.pdf"), 201)
    assert document["size"] == limit
    assert len(stored(api)) == 1


def test_a_document_is_stored_under_a_generated_name_not_the_clients(
    api: Any, draft: dict[str, Any]
) -> None:
    names = ["../../../etc/cron.d/evil.pdf", "rib.pdf", "rib.pdf"]
    for name in names:
        api.ok(api.upload(draft["id"], "rib", api.pdf, filename=name), 201)
    files = stored(api)
    assert len(files) == 3  # the same client name twice does not overwrite
    for path in files:
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", path.name), path.name
        assert path.read_bytes() == api.pdf
    listed = api.ok(api.get("asso", f"/applications/{draft['id']}/documents"))
    # Only the base name is kept, as a label.
    assert sorted(d["filename"] for d in listed) == ["evil.pdf", "rib.pdf", "rib.pdf"]
    assert not list(api.settings.data_dir.parent.rglob("evil.pdf"))


def test_documents_are_added_only_while_the_application_is_editable(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    application = api.eligible(reaap_call["id"])
    count = len(stored(api))
    api.refused(
        409,
        "asso",
        "POST",
        f"/applications/{application['id']}/documents",
        data={"kind": "rib"},
        files={"file": ("rib.pdf", api.pdf, "application/pdf")},
        watch=[application["id"]],
    )
    assert len(stored(api)) == count
    api.refused(
        404,
        "asso",
        "POST",
        "/applications/9999/documents",
        data={"kind": "rib"},
        files={"file": ("rib.pdf", api.pdf, "application/pdf")},
    )
