"""Supporting documents: recognised by their content, size-limited, stored in the database with
their rows (nothing left in the data folder, not even an upload's temporary)."""

from __future__ import annotations

import hashlib
import io
from typing import Any
from urllib.parse import unquote

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func
from sqlmodel import select

from engine.models import Blob, Document
from engine.services.documents import download_name
from tests.api.conftest import JPEG, PNG, image_bytes, pdf_bytes, pdf_of_size


@pytest.fixture
def draft(api: Any, reaap_call: dict[str, Any]) -> dict[str, Any]:
    return api.draft(reaap_call["id"])


def stored(api: Any) -> list[tuple[Document, bytes]]:
    """Every stored document with its content, read from the database; and nothing on disk
    (uploads stream to a temporary that goes as soon as the upload is stored or refused)."""
    assert [p.name for p in api.stored_files("documents")] == []
    with api.db.reading() as session:
        rows = session.exec(
            select(Document, Blob.content)
            .join(Blob, Blob.id == Document.blob_id)  # type: ignore[arg-type]
            .order_by(Document.id)  # type: ignore[arg-type]
        ).all()
        blobs = session.exec(select(func.count()).select_from(Blob)).one()
    assert blobs == len(rows)  # no blob without its row
    return [(document, bytes(content)) for document, content in rows]


def test_pdf_png_and_jpeg_are_recognised_by_their_content(api: Any, draft: dict[str, Any]) -> None:
    uploads = [
        ("cerfa_12156", "cerfa.pdf", api.pdf, "application/pdf", "application/pdf"),
        # The declared type and the name do not matter, the content does; the name funders
        # download the file under gets the extension of what the file is.
        ("rib", "rib.bin", api.PNG, "application/octet-stream", "image/png"),
        ("statuts", "statuts.pdf", api.JPEG, "application/pdf", "image/jpeg"),
    ]
    names = {"cerfa.pdf": "cerfa.pdf", "rib.bin": "rib.png", "statuts.pdf": "statuts.jpg"}
    for kind, name, content, declared, expected in uploads:
        document = api.ok(
            api.upload(draft["id"], kind, content, filename=name, content_type=declared), 201
        )
        assert document["kind"] == kind
        assert document["filename"] == names[name]
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
    assert [(d.content_type, content) for d, content in stored(api)] == [
        (expected, content) for _, _, content, _, expected in uploads
    ]
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
    too_big = pdf_of_size(limit + 1)  # a real PDF, one chunk after another
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
    at_limit = pdf_of_size(limit)
    document = api.ok(api.upload(draft["id"], "budget", at_limit, filename="budget.pdf"), 201)
    assert document["size"] == limit
    assert len(stored(api)) == 1


def test_a_document_is_stored_in_the_database_never_under_the_clients_name(
    api: Any, draft: dict[str, Any]
) -> None:
    names = ["../../../etc/cron.d/evil.pdf", "rib.pdf", "rib.pdf"]
    for name in names:
        api.ok(api.upload(draft["id"], "rib", api.pdf, filename=name), 201)
    files = stored(api)
    assert len(files) == 3  # the same client name twice does not overwrite
    for document, content in files:
        assert content == api.pdf
        assert document.sha256 == hashlib.sha256(content).hexdigest()
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


# -- the content must be what its first bytes say (an HTML page behind `%PDF-` is not a PDF) -------

POLYGLOT = (
    b"%PDF-1.4\n<html><body><script>fetch('/api/v1/auth/logout', {method: 'POST'})</script>"
    b"</body></html>\n"
)


def _html_inside_a_pdf() -> bytes:
    """A real PDF whose objects were shifted by an HTML page slipped in after its header: its
    cross-reference table no longer says where anything is (readers repair such files by
    scanning them, which is how a polyglot passes for a PDF)."""
    pdf = pdf_bytes()
    return pdf[:9] + b"<html><script>alert(document.cookie)</script></html>\n" + pdf[9:]


def _pdf_without_a_page() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password, "owner password", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


_UNREADABLE = (
    "Le fichier n'est pas {} lisible : il est endommagé ou d'un autre type. "
    "Enregistrez-le de nouveau puis déposez-le."
)
_UNREADABLE_PDF = _UNREADABLE.format("un PDF")
_UNREADABLE_PNG = _UNREADABLE.format("une image PNG")
_UNREADABLE_JPEG = _UNREADABLE.format("une image JPEG")
DAMAGED = {
    "html behind %PDF-": (
        POLYGLOT,
        _UNREADABLE_PDF,
    ),
    "html inside a real pdf": (
        _html_inside_a_pdf(),
        _UNREADABLE_PDF,
    ),
    "pdf cut short": (
        pdf_bytes()[:-60],
        _UNREADABLE_PDF,
    ),
    "pdf without a page": (
        _pdf_without_a_page(),
        _UNREADABLE_PDF,
    ),
    "pdf needing a password": (
        _encrypted_pdf("secret"),
        "Les PDF protégés par un mot de passe ne sont pas acceptés : enlevez la protection.",
    ),
    "png cut short": (
        image_bytes("PNG", (300, 200))[:-200],
        _UNREADABLE_PNG,
    ),
    "png header only": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
        _UNREADABLE_PNG,
    ),
    "jpeg cut short": (
        image_bytes("JPEG", (300, 200))[:-100],
        _UNREADABLE_JPEG,
    ),
    "jpeg header only": (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64,
        _UNREADABLE_JPEG,
    ),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_file_whose_content_is_not_what_its_first_bytes_say_is_refused_and_nothing_is_stored(
    api: Any, draft: dict[str, Any], case: str
) -> None:
    content, message = DAMAGED[case]
    response = api.invalid(
        "file",
        "asso",
        "POST",
        f"/applications/{draft['id']}/documents",
        data={"kind": "rib"},
        files={"file": ("rib.pdf", content, "application/pdf")},
        watch=[draft["id"]],  # no row, no event, no version change
    )
    error = response.json()["errors"][0]
    assert error["field"] == "file"
    assert error["message"] == message
    assert stored(api) == []  # neither the file nor its temporary
    assert api.ok(api.get("asso", f"/applications/{draft['id']}/documents")) == []


def test_an_image_with_too_many_pixels_is_refused_without_being_decoded(
    api: Any, draft: dict[str, Any]
) -> None:
    # 8 000 × 8 000 pixels of one colour: 64 million pixels in a few kilobytes of PNG.
    bomb = image_bytes("PNG", (8000, 8000))
    assert len(bomb) < 1024 * 1024
    response = api.invalid(
        "file",
        "asso",
        "POST",
        f"/applications/{draft['id']}/documents",
        data={"kind": "rib"},
        files={"file": ("rib.png", bomb, "image/png")},
        watch=[draft["id"]],
    )
    message = response.json()["errors"][0]["message"]
    assert message == "L'image est trop grande (plus de 50 millions de pixels) : réduisez-la."
    assert response.json()["errors"][0]["code"] == "image_too_large"
    assert stored(api) == []


def test_real_pdf_png_and_jpeg_files_are_accepted(api: Any, draft: dict[str, Any]) -> None:
    for kind, name, content in [
        ("cerfa_12156", "cerfa.pdf", pdf_bytes()),
        ("budget", "budget.PDF", pdf_of_size(20_000)),
        ("statuts", "statuts.pdf", _encrypted_pdf("")),  # protected, but opens without password
        ("rib", "rib.png", PNG),
        ("officers_list", "bureau.jpeg", JPEG),
        ("activity_report", "rapport.jpg", image_bytes("JPEG", (1200, 900))),
    ]:
        document = api.ok(api.upload(draft["id"], kind, content, filename=name), 201)
        assert document["filename"] == name
        assert document["size"] == len(content)
    assert len(stored(api)) == 6


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("fake.png", pdf_bytes(), "fake.pdf"),
        ("scan.pdf", PNG, "scan.png"),
        ("photo.html", JPEG, "photo.jpg"),
        ("rib", pdf_bytes(), "rib.pdf"),
        ("Bilan 2024.v2", pdf_bytes(), "Bilan 2024.v2.pdf"),
        ("x" * 300 + ".png", pdf_bytes(), "x" * 251 + ".pdf"),
    ],
)
def test_a_file_is_downloaded_under_a_name_whose_extension_matches_its_content(
    api: Any, draft: dict[str, Any], name: str, content: bytes, expected: str
) -> None:
    document = api.ok(api.upload(draft["id"], "rib", content, filename=name), 201)
    assert document["filename"] == expected
    response = api.get("asso", f"/documents/{document['id']}")
    assert response.status_code == 200
    assert response.content == content
    disposition = unquote(response.headers["content-disposition"])
    assert disposition in (
        f'attachment; filename="{expected}"',
        f"attachment; filename*=utf-8''{expected}",
    )
    ((stored_document, stored_content),) = stored(api)
    assert stored_content == content
    assert (
        stored_document.content_type
        == {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}[
            expected.rsplit(".", 1)[1]
        ]
    )


def test_the_download_name_of_a_nameless_file_says_what_it_is() -> None:
    assert download_name(None, ".pdf") == "document.pdf"
    assert download_name("  ", ".png") == "document.png"
    assert download_name("../../etc/Photo.JPEG", ".jpg") == "Photo.JPEG"
    assert download_name("rib.", ".pdf") == "rib.pdf"


def test_the_page_form_parses_uploads_too_and_answers_in_french(
    api: Any, draft: dict[str, Any]
) -> None:
    """The page `/dossiers/{id}/pieces` calls the same service as the API."""
    csrf = "csrf-token-of-the-document-tests"
    token = api.headers["asso"]["Authorization"].removeprefix("Bearer ")

    def post(name: str, content: bytes) -> Any:
        api.client.cookies.clear()
        return api.client.post(
            f"/dossiers/{draft['id']}/pieces",
            data={"kind": "rib", "csrf_token": csrf},
            files={"file": (name, content, "application/pdf")},
            headers={"Cookie": f"cofinance_csrf={csrf}; cofinance_session={token}"},
            follow_redirects=False,
        )

    response = post("rib.pdf", POLYGLOT)
    assert response.status_code == 422
    assert "Le fichier n&#39;est pas un PDF lisible" in response.text or (
        "Le fichier n'est pas un PDF lisible" in response.text
    )
    assert stored(api) == []
    assert api.ok(api.get("asso", f"/applications/{draft['id']}/documents")) == []
    response = post("fake.png", pdf_bytes())
    assert response.status_code == 303, response.text
    (document,) = api.ok(api.get("asso", f"/applications/{draft['id']}/documents"))
    assert document["filename"] == "fake.pdf"


def test_a_crash_inside_the_upload_transaction_leaves_neither_row_nor_blob(
    api: Any, draft: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blob and the document row are written in one transaction: an exception after both
    were flushed (here, writing the event) rolls both back, and the temporary is gone."""
    from engine.services import documents as service

    def power_cut(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(service, "record", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        api.upload(draft["id"], "rib", api.pdf)
    assert stored(api) == []
    with api.db.reading() as session:
        assert session.exec(select(func.count()).select_from(Blob)).one() == 0
        assert session.exec(select(func.count()).select_from(Document)).one() == 0
    monkeypatch.undo()
    document = api.ok(api.upload(draft["id"], "rib", api.pdf), 201)
    assert [(d.id, content) for d, content in stored(api)] == [(document["id"], api.pdf)]
