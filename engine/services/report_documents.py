"""Supporting documents of a final report: the holder joins invoices, receipts or photos (PDF,
PNG or JPEG, checked by content like an application's documents: engine/services/documents.py)
while it may still change the report; whoever may read the file (the funders that review the
report among them) lists and downloads them."""

from __future__ import annotations

from typing import BinaryIO

from sqlmodel import col, select

from engine.access import Actor, require_holder
from engine.audit import record
from engine.blobs import blob_content, new_blob
from engine.db import Database
from engine.errors import Conflict, NotFound
from engine.models import FinalReport, ReportDocument
from engine.rulebook.text import require_text
from engine.services.application_access import load
from engine.services.documents import checked_upload
from engine.services.final_reports import HOLDER_EDITABLE, report_of
from engine.settings import Settings


def _editable(report: FinalReport | None, application_id: int) -> FinalReport:
    if report is None:
        raise NotFound("not_found.report", id=application_id)
    if report.state not in HOLDER_EDITABLE:
        raise Conflict("wrong_state.report_edit", state=report.state)
    return report


def add_report_document(
    db: Database,
    actor: Actor,
    application_id: int,
    filename: str,
    stream: BinaryIO,
    settings: Settings,
) -> ReportDocument:
    """Join a file to the report while it is due or handed back (409 once submitted: the
    funders review what was submitted)."""
    require_text({"file": filename})
    # Access and state are checked before the upload is read: a stranger learns nothing.
    with db.reading() as session:
        require_holder(actor, load(session, application_id, actor))
        _editable(report_of(session, application_id), application_id)
    upload = checked_upload(filename, stream, settings)
    with db.transaction() as session:
        require_holder(actor, load(session, application_id, actor))
        report = _editable(report_of(session, application_id), application_id)
        blob = new_blob(session, upload.content, upload.sha256)
        session.flush()
        assert report.id is not None and blob.id is not None
        document = ReportDocument(
            report_id=report.id,
            filename=upload.filename,
            blob_id=blob.id,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            uploaded_by=actor.id or 0,
        )
        session.add(document)
        session.flush()
        record(
            session,
            "report",
            report.id,
            "report_add_document",
            actor,
            application_id=application_id,
            data={"document": document.id, "size": upload.size},
        )
        return document


def report_documents(db: Database, actor: Actor, application_id: int) -> list[ReportDocument]:
    """The report's documents, oldest first, for whoever may see the file (none before the
    report is opened)."""
    with db.reading() as session:
        load(session, application_id, actor)
        report = report_of(session, application_id)
        if report is None:
            return []
        query = (
            select(ReportDocument)
            .where(ReportDocument.report_id == report.id)
            .order_by(col(ReportDocument.id))
        )
        return list(session.exec(query))


def report_document_file(
    db: Database, actor: Actor, application_id: int, document_id: int
) -> tuple[ReportDocument, bytes]:
    with db.reading() as session:
        load(session, application_id, actor)
        report = report_of(session, application_id)
        document = session.get(ReportDocument, document_id)
        if report is None or document is None or document.report_id != report.id:
            raise NotFound("not_found.document", id=document_id)
        content = blob_content(session, document.blob_id)
    if content is None:
        raise NotFound("not_found.document_file", id=document_id)
    return document, content
