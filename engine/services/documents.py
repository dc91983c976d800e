"""Supporting documents: PDF, PNG or JPEG recognised by content (their first bytes, then a parse
of the whole file: engine/services/document_content.py), stored in the database.

An upload streams to a temporary file under `<data folder>/documents/.upload-…` (the size limit
is enforced while it streams, the content is parsed there), then its checked bytes are written
as a blob in the same transaction as the document row (engine/blobs.py); the temporary is removed
whatever happens, and the start-up sweep removes one a killed process left (sweep.py)."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from engine.access import Actor, require_holder
from engine.audit import record
from engine.blobs import blob_content, new_blob
from engine.db import Database
from engine.errors import Conflict, InsufficientStorage, NotFound
from engine.models import Application, Document
from engine.rulebook import DocumentKind, FieldError, InvalidInput, default_registry
from engine.rulebook.text import require_text
from engine.services.application_access import joined_kinds
from engine.services.applications import EDITABLE, load
from engine.services.calls import get_call
from engine.services.document_content import check_content
from engine.settings import Settings

_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
_CHUNK = 64 * 1024
# The extensions each sniffed type is known by, and those of other file types, which a download
# name loses when the content says otherwise.
_EXTENSIONS = {".pdf": {".pdf"}, ".png": {".png"}, ".jpg": {".jpg", ".jpeg", ".jpe", ".jfif"}}
_OTHER_TYPES = (
    "bin bmp csv doc docx exe gif heic heif htm html js odg odp ods odt ppt pptx rtf svg svgz"
    " tif tiff txt webp xhtml xls xlsx xml zip"
)
_TYPE_EXTENSIONS = {
    *(e for extensions in _EXTENSIONS.values() for e in extensions),
    *(f".{e}" for e in _OTHER_TYPES.split()),
}


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, suffix in _SIGNATURES:
        if head.startswith(signature):
            return content_type, suffix
    return None


def download_name(filename: str | None, suffix: str) -> str:
    """The client's base name, kept as the label funders download the file under, with an
    extension that says what the file is: `fake.png` holding a PDF is `fake.pdf`, `rib` is
    `rib.pdf`. Another extension of a file type is replaced; anything else is kept and the right
    extension added (`Bilan 2024.v2` is `Bilan 2024.v2.pdf`)."""
    name = Path(filename or "").name.strip().rstrip(".") or "document"
    stem, extension = os.path.splitext(name)
    if extension.lower() in _EXTENSIONS[suffix]:
        return name[:255]
    if extension.lower() in _TYPE_EXTENSIONS:
        name = stem
    return name[: 255 - len(suffix)] + suffix


UPLOAD_PREFIX = ".upload-"


def documents_dir(settings: Settings) -> Path:
    """Where uploads stream to before they are checked (temporaries only)."""
    path = settings.data_dir / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store(stream: BinaryIO, target: Path, limit: int) -> tuple[int, str, bytes]:
    """Copy the upload to a temporary file chunk by chunk, refusing it as soon as it passes the
    limit (a temporary: the database makes the stored copy durable)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with target.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            if len(head) < 16:
                head += chunk[: 16 - len(head)]
            size += len(chunk)
            if size > limit:
                megabytes = limit // (1024 * 1024)
                raise InvalidInput([FieldError("file", "file_too_large", megabytes=megabytes)])

            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest(), head


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file whose content was recognised and parsed, with the name it is kept under
    (the extension of the type its content says: `fake.png` holding a PDF is `fake.pdf`)."""

    content: bytes
    size: int
    sha256: str
    content_type: str
    filename: str


def checked_upload(filename: str, stream: BinaryIO, settings: Settings) -> CheckedUpload:
    """Stream an upload to a temporary file within the size limit, recognise its type by its
    content (never by its name) and parse it; refuse it (InvalidInput naming `file`) otherwise."""
    require_text({"file": filename})
    folder = documents_dir(settings)
    temporary = folder / f"{UPLOAD_PREFIX}{secrets.token_hex(16)}"
    try:
        try:
            size, sha256, head = _store(stream, temporary, settings.upload_max_bytes)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise InsufficientStorage("insufficient_storage") from None
        if size == 0:
            raise InvalidInput([FieldError("file", "file_empty")])
        sniffed = sniff(head)
        if sniffed is None:
            raise InvalidInput([FieldError("file", "file_type")])

        content_type, suffix = sniffed
        check_content(temporary, content_type)
        # The bytes just checked, not the stream again (it is consumed).
        content = temporary.read_bytes()
    finally:
        temporary.unlink(missing_ok=True)
    return CheckedUpload(content, size, sha256, content_type, download_name(filename, suffix))


def add_document(
    db: Database,
    actor: Actor,
    application_id: int,
    kind: str,
    filename: str,
    stream: BinaryIO,
    settings: Settings,
) -> Document:
    # The file's name is kept (listed, given back on download): it is one line of text.
    require_text({"file": filename})
    with db.reading() as session:
        application = load(session, application_id, actor)
        require_holder(actor, application)
        # The kinds of documents of the application's scheme (SchemeModule.documents).
        scheme = default_registry().schemes[get_call(session, application.call_id).scheme]
        kinds = scheme.document_labels()
        if kind not in kinds:
            raise InvalidInput([FieldError("kind", "not_a_choice")])
        if application.state not in EDITABLE:
            raise Conflict("wrong_state.documents", state=application.state)
    upload = checked_upload(filename, stream, settings)
    content, size, sha256, content_type = (
        upload.content,
        upload.size,
        upload.sha256,
        upload.content_type,
    )
    with db.transaction() as session:
        application = load(session, application_id, actor)
        if application.state not in EDITABLE:
            raise Conflict("wrong_state.not_editable")
        blob = new_blob(session, content, sha256)
        session.flush()
        document = Document(
            application_id=application_id,
            kind=kind,
            filename=upload.filename,
            blob_id=blob.id,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor.id or 0,
        )
        session.add(document)
        session.flush()
        assert document.id is not None
        record(
            session,
            "application",
            application_id,
            "add_document",
            actor,
            application_id=application_id,
            data={"document": document.id, "kind": kind, "size": size},
        )
        return document


def list_documents(db: Database, actor: Actor, application_id: int) -> list[Document]:
    with db.reading() as session:
        load(session, application_id, actor)
        return list(session.exec(select(Document).where(Document.application_id == application_id)))


def document_file(db: Database, actor: Actor, document_id: int) -> tuple[Document, bytes]:
    """A document and its bytes, for those who may see its application."""
    with db.reading() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound("not_found.document", id=document_id)
        load(session, document.application_id, actor)
        content = blob_content(session, document.blob_id)
    if content is None:
        raise NotFound("not_found.document_file", id=document_id)
    return document, content


def missing_documents(
    session: Session, application: Application, joined: set[str] | None = None
) -> list[DocumentKind]:
    """The documents the scheme requires of this holder that the application has not joined
    (as rule G3 reads them; `joined` when the caller has just read them), in the scheme's
    order."""
    scheme = default_registry().schemes[get_call(session, application.call_id).scheme]
    holder = application.data.get("holder") or {}
    if joined is None:
        joined = joined_kinds(session, application)
    return [
        kind
        for kind in scheme.documents
        if kind.required_from(str(holder.get("kind", ""))) and kind.code not in joined
    ]
