"""The holder's organisation profile: its identity (name, SIRET, RNA, address, email, legal
status, republican commitment contract) and its reusable documents (statuts, RIB…), from which
every new application starts (prefilled holder block, documents joined)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, BinaryIO

from sqlmodel import Session, col, select

from engine.access import Actor, require_role
from engine.audit import record
from engine.blobs import blob_content, new_blob
from engine.db import Database
from engine.errors import NotFound
from engine.models import Application, Document, Organisation, OrganisationDocument
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.application import HOLDER_KINDS
from engine.rulebook.text import require_text
from engine.services.documents import checked_upload
from engine.services.identity import compact, identity_errors, rna_valid, siret_valid
from engine.settings import Settings

__all__ = [
    "add_profile_document",
    "compact",
    "holder_block",
    "identity_errors",
    "join_profile_documents",
    "prefilled_holder",
    "profile",
    "profile_document_file",
    "remove_profile_document",
    "reusable_kinds",
    "rna_valid",
    "siret_valid",
    "update_profile",
]

# The identity fields a holder edits, and their sizes (as the organisations table keeps them).
_TEXTS = {"name": 300, "address": 500, "email": 320}


def reusable_kinds() -> dict[str, str]:
    """Code → French label of the document kinds a profile keeps (those marked reusable)."""
    kinds: dict[str, str] = {}
    for scheme in default_registry().schemes.values():
        for kind in scheme.documents:
            if kind.reusable:
                kinds.setdefault(kind.code, kind.label)
    return kinds


def _organisation(session: Session, actor: Actor) -> Organisation:
    require_role(actor, "applicant")
    organisation = (
        session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    )
    if organisation is None:
        raise NotFound("not_found.organisation")
    return organisation


def _documents(session: Session, organisation_id: int) -> list[OrganisationDocument]:
    return list(
        session.exec(
            select(OrganisationDocument)
            .where(OrganisationDocument.organisation_id == organisation_id)
            .order_by(col(OrganisationDocument.id))
        )
    )


def _as_json(session: Session, organisation: Organisation) -> dict[str, Any]:
    labels = reusable_kinds()
    return {
        "id": organisation.id,
        "name": organisation.name,
        "kind": organisation.kind,
        "siret": organisation.siret,
        "rna": organisation.rna,
        "cer_signed": organisation.cer_signed,
        "address": organisation.address,
        "email": organisation.email,
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "label": labels.get(d.kind, d.kind),
                "filename": d.filename,
                "content_type": d.content_type,
                "size": d.size,
                "created_at": d.created_at,
            }
            for d in _documents(session, organisation.id or 0)
        ],
        "document_kinds": labels,
    }


def profile(db: Database, actor: Actor) -> dict[str, Any]:
    with db.reading() as session:
        return _as_json(session, _organisation(session, actor))


def update_profile(db: Database, actor: Actor, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change the fields given (None clears an optional one); refuse, naming each field, a bad
    SIRET or RNA, an unknown legal status or a name another organisation has."""
    errors: list[FieldError] = []
    values = dict(changes)
    for key in ("siret", "rna"):
        if isinstance(values.get(key), str):
            values[key] = compact(values[key]) or None
    for key, size in _TEXTS.items():
        if isinstance(values.get(key), str):
            values[key] = values[key].strip() or None
            if values[key] is not None and len(values[key]) > size:
                errors.append(FieldError(key, "too_long", max_length=size))
    require_text({k: v for k, v in values.items() if isinstance(v, str)})
    errors.extend(identity_errors(values, ""))
    if values.get("kind") is not None and values["kind"] not in HOLDER_KINDS:
        errors.append(FieldError("kind", "not_a_choice"))
    if "name" in values and not values["name"]:
        errors.append(FieldError("name", "required"))
    with db.transaction() as session:
        organisation = _organisation(session, actor)
        if values.get("name") and values["name"] != organisation.name:
            taken = session.exec(
                select(Organisation.id).where(Organisation.name == values["name"])
            ).first()
            if taken is not None:
                errors.append(FieldError("name", "organisation_name_taken"))
        if errors:
            raise InvalidInput(errors)
        for key in ("name", "kind", "siret", "rna", "cer_signed", "address", "email"):
            if key in values:
                setattr(organisation, key, values[key])
        session.flush()
        record(
            session,
            "organisation",
            organisation.id or 0,
            "update",
            actor,
            data={"changed": sorted(values)},
        )
        return _as_json(session, organisation)


def add_profile_document(
    db: Database, actor: Actor, kind: str, filename: str, stream: BinaryIO, settings: Settings
) -> dict[str, Any]:
    """Keep a reusable document in the profile; it replaces the one of the same kind (the
    applications that already joined the previous one keep their copy)."""
    with db.reading() as session:
        _organisation(session, actor)
    if not kind:
        raise InvalidInput([FieldError("kind", "required")])
    if kind not in reusable_kinds():
        raise InvalidInput([FieldError("kind", "not_reusable")])
    upload = checked_upload(filename, stream, settings)
    with db.transaction() as session:
        organisation = _organisation(session, actor)
        for previous in _documents(session, organisation.id or 0):
            if previous.kind == kind:
                session.delete(previous)
        blob = new_blob(session, upload.content, upload.sha256)
        session.flush()
        assert blob.id is not None
        document = OrganisationDocument(
            organisation_id=organisation.id or 0,
            kind=kind,
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
            "organisation",
            organisation.id or 0,
            "add_document",
            actor,
            data={"document": document.id, "kind": kind, "size": upload.size},
        )
        return _as_json(session, organisation)


def remove_profile_document(db: Database, actor: Actor, document_id: int) -> dict[str, Any]:
    with db.transaction() as session:
        organisation = _organisation(session, actor)
        document = session.get(OrganisationDocument, document_id)
        if document is None or document.organisation_id != organisation.id:
            raise NotFound("not_found.organisation_document", id=document_id)
        session.delete(document)
        session.flush()
        record(
            session,
            "organisation",
            organisation.id or 0,
            "remove_document",
            actor,
            data={"document": document_id, "kind": document.kind},
        )
        return _as_json(session, organisation)


def profile_document_file(
    db: Database, actor: Actor, document_id: int
) -> tuple[OrganisationDocument, bytes]:
    with db.reading() as session:
        organisation = _organisation(session, actor)
        document = session.get(OrganisationDocument, document_id)
        if document is None or document.organisation_id != organisation.id:
            raise NotFound("not_found.organisation_document", id=document_id)
        content = blob_content(session, document.blob_id)
    if content is None:
        raise NotFound("not_found.organisation_document", id=document_id)
    return document, content


def holder_block(organisation: Organisation) -> dict[str, Any]:
    """The application's holder block as the profile fills it (only what it knows)."""
    block = {
        "name": organisation.name,
        "kind": organisation.kind,
        "siret": organisation.siret,
        "rna": organisation.rna,
        "cer_signed": organisation.cer_signed,
    }
    return {k: v for k, v in block.items() if v is not None}


def prefilled_holder(db: Database, actor: Actor) -> dict[str, Any]:
    with db.reading() as session:
        return holder_block(_organisation(session, actor))


def join_profile_documents(
    session: Session, application: Application, kinds: Mapping[str, str], actor: Actor
) -> list[Document]:
    """Join a copy of each reusable document of the profile whose kind the scheme asks
    (`kinds`) and the application does not have yet. A copy of the blob: a document row owns
    its blob (documents.blob_id is unique), and the file the application was filed with stays
    as it was when the profile's changes."""
    joined = set(
        session.exec(select(Document.kind).where(Document.application_id == application.id))
    )
    added = []
    for kept in _documents(session, application.organisation_id):
        if kept.kind not in kinds or kept.kind in joined:
            continue
        content = blob_content(session, kept.blob_id)
        if content is None:
            continue
        blob = new_blob(session, content, kept.sha256)
        session.flush()
        document = Document(
            application_id=application.id or 0,
            kind=kept.kind,
            filename=kept.filename,
            blob_id=blob.id,
            content_type=kept.content_type,
            size=kept.size,
            sha256=kept.sha256,
            uploaded_by=actor.id or 0,
        )
        session.add(document)
        joined.add(kept.kind)
        added.append(document)
    if added:
        session.flush()
        record(
            session,
            "application",
            application.id or 0,
            "add_document",
            actor,
            application_id=application.id,
            data={"from_profile": sorted(d.kind for d in added)},
        )
    return added
