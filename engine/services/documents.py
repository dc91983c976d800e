"""Supporting documents: PDF, PNG or JPEG recognised by content (their first bytes, then a parse
of the whole file: engine/services/document_content.py), stored under generated names."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO, get_args

from sqlmodel import select

from engine.access import Actor, require_holder
from engine.audit import record
from engine.db import Database
from engine.errors import Conflict, InsufficientStorage, NotFound
from engine.models import Document
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.application import DocumentKind
from engine.rulebook.text import require_text
from engine.services.applications import EDITABLE, load
from engine.services.document_content import check_content
from engine.settings import Settings

KINDS = get_args(DocumentKind)
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


def documents_dir(settings: Settings) -> Path:
    path = settings.data_dir / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store(stream: BinaryIO, target: Path, limit: int) -> tuple[int, str, bytes]:
    """Copy the upload to disk chunk by chunk, refusing it as soon as it passes the limit."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with target.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            if len(head) < 16:
                head += chunk[: 16 - len(head)]
            size += len(chunk)
            if size > limit:
                raise InvalidInput([FieldError("file", f"larger than {limit // (1024 * 1024)} MB")])
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest(), head


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
    if kind not in KINDS:
        raise InvalidInput([FieldError("kind", f"one of {', '.join(KINDS)}")])
    with db.reading() as session:
        application = load(session, application_id, actor)
        require_holder(actor, application)
        if application.state not in EDITABLE:
            raise Conflict(
                "documents can be added only while the application is editable", "wrong_state"
            )
    folder = documents_dir(settings)
    temporary = folder / f".upload-{secrets.token_hex(16)}"
    try:
        try:
            size, sha256, head = _store(stream, temporary, settings.upload_max_bytes)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise InsufficientStorage(
                "storage is full: the document was not saved (espace disque insuffisant)"
            ) from None
        if size == 0:
            raise InvalidInput([FieldError("file", "the file is empty")])
        sniffed = sniff(head)
        if sniffed is None:
            raise InvalidInput([FieldError("file", "only PDF, PNG or JPEG files are accepted")])
        content_type, suffix = sniffed
        check_content(temporary, content_type)
        stored_name = f"{secrets.token_hex(16)}{suffix}"
        temporary.rename(folder / stored_name)
    finally:
        temporary.unlink(missing_ok=True)
    try:
        with db.transaction() as session:
            application = load(session, application_id, actor)
            if application.state not in EDITABLE:
                raise Conflict("the application is no longer editable", "wrong_state")
            document = Document(
                application_id=application_id,
                kind=kind,
                filename=download_name(filename, suffix),
                stored_name=stored_name,
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
    except BaseException:
        # No row points to the file: remove it so nothing is left half-written.
        (folder / stored_name).unlink(missing_ok=True)
        raise


def list_documents(db: Database, actor: Actor, application_id: int) -> list[Document]:
    with db.reading() as session:
        load(session, application_id, actor)
        return list(session.exec(select(Document).where(Document.application_id == application_id)))


def document_path(
    db: Database, actor: Actor, document_id: int, settings: Settings
) -> tuple[Document, Path]:
    with db.reading() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(f"no document {document_id}")
        load(session, document.application_id, actor)
    return document, documents_dir(settings) / document.stored_name
