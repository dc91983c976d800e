"""A convention's signatures: the holder returns it signed (a PDF), a member of the funder
countersigns, and it comes into force with its payments (workflows/agreement.py).

Access first, like every use case: whoever may not see the file learns nothing of the
agreement; then the role; then the state.
"""

from __future__ import annotations

from typing import BinaryIO

from sqlmodel import Session

from engine.access import Actor, require_funder_member, require_holder
from engine.audit import authorise, transition
from engine.blobs import blob_content, new_blob
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict, NotFound
from engine.models import Agreement, Application, Share
from engine.rulebook import FieldError, InvalidInput
from engine.services import follow_up_emails, payments
from engine.services.application_access import load
from engine.services.documents import checked_upload
from engine.settings import Settings
from workflows.agreement import AGREEMENT


def load_agreement(
    session: Session, actor: Actor, agreement_id: int
) -> tuple[Agreement, Application]:
    """The agreement and its application, for someone who may see that application."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("not_found.agreement", id=agreement_id)
    return agreement, load(session, agreement.application_id, actor)


def sign_agreement(
    db: Database,
    actor: Actor,
    agreement_id: int,
    filename: str,
    stream: BinaryIO,
    settings: Settings,
) -> Agreement:
    """The holder uploads the convention it signed: a PDF, or 422 naming `file`."""
    with db.reading() as session:
        agreement, application = load_agreement(session, actor, agreement_id)
        authorise("agreement", "sign", actor)
        require_holder(actor, application)
        if not AGREEMENT.allowed("sign", agreement.state, actor.role):
            raise Conflict("wrong_state", state=agreement.state, trigger="sign")
    upload = checked_upload(filename, stream, settings)
    if upload.content_type != "application/pdf":
        raise InvalidInput([FieldError("file", "signed_convention_pdf")])
    with db.transaction() as session:
        agreement, application = load_agreement(session, actor, agreement_id)
        blob = new_blob(session, upload.content, upload.sha256)
        session.flush()
        transition(
            session,
            "agreement",
            agreement,
            "sign",
            actor,
            application_id=application.id,
            data={"size": upload.size, "sha256": upload.sha256},
        )
        agreement.signed_blob_id = blob.id
        agreement.signed_filename = upload.filename
        agreement.signed_by = actor.id
        agreement.signed_at = now()
        session.add(agreement)
        session.flush()
        follow_up_emails.convention_signed(session, application, agreement)
        return agreement


def countersign_agreement(db: Database, actor: Actor, agreement_id: int) -> Agreement:
    """A member of the funder countersigns: the convention is in force, its advance scheduled."""
    with db.transaction() as session:
        agreement, application = load_agreement(session, actor, agreement_id)
        authorise("agreement", "countersign", actor)
        require_funder_member(actor, agreement.funder_id)
        transition(
            session, "agreement", agreement, "countersign", actor, application_id=application.id
        )
        agreement.countersigned_by = actor.id
        agreement.countersigned_at = now()
        session.add(agreement)
        session.flush()
        share = session.get(Share, agreement.share_id)
        assert share is not None
        payments.open_payments(session, share, agreement, actor)
        return agreement


def convention_file(db: Database, actor: Actor, agreement_id: int, *, signed: bool) -> bytes:
    """The convention as drawn up, or (`signed`) the copy the holder signed."""
    with db.reading() as session:
        agreement, _ = load_agreement(session, actor, agreement_id)
        content = blob_content(session, agreement.signed_blob_id if signed else agreement.blob_id)
    if content is None:
        raise NotFound("not_found.convention", id=agreement_id)
    return content


def application_of(db: Database, actor: Actor, agreement_id: int) -> int:
    """The id of the agreement's application, for someone who may see it."""
    with db.reading() as session:
        _, application = load_agreement(session, actor, agreement_id)
    assert application.id is not None
    return application.id
