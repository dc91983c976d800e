"""Applications: file, edit, upload, submit, withdraw, chair checks, events, letters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Path, Query, UploadFile

from api.deps import CurrentActor, DatabaseDep, IfMatch, SettingsDep
from api.errors import error_responses
from engine.rulebook import Text
from engine.schemas import ApplicationIn, ApplicationPatch, OptionalReasonIn, ProposalIn, ReasonIn
from engine.services import applications as service
from engine.services import queries
from engine.services.documents import add_document, list_documents
from engine.services.shares import propose_share
from engine.views import document_json

router = APIRouter(tags=["applications"])
ERRORS = error_responses(401, 403, 404, 409, 422)


@router.post("/applications", status_code=201, responses=ERRORS)
def create(body: ApplicationIn, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    application = service.create_application(db, actor, body.call_id, body.title, body.application)
    return queries.application_view(db, actor, application.id or 0)


@router.get("/applications", responses=ERRORS)
def list_applications(
    db: DatabaseDep,
    actor: CurrentActor,
    call_id: int | None = None,
    state: Annotated[Text | None, Query(max_length=50)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    return queries.list_applications(db, actor, call_id, state, offset, limit)


@router.get("/applications/{application_id}", responses=ERRORS)
def get(application_id: int, db: DatabaseDep, actor: CurrentActor) -> dict[str, Any]:
    return queries.application_view(db, actor, application_id)


@router.patch("/applications/{application_id}", responses=ERRORS)
def patch(
    application_id: int,
    body: ApplicationPatch,
    db: DatabaseDep,
    actor: CurrentActor,
    version: IfMatch,
) -> dict[str, Any]:
    service.update_application(
        db, actor, application_id, title=body.title, raw=body.application, if_match=version
    )
    return queries.application_view(db, actor, application_id)


@router.post("/applications/{application_id}/documents", status_code=201, responses=ERRORS)
def upload(
    application_id: int,
    kind: Annotated[Text, Form(max_length=50)],
    file: Annotated[UploadFile, File()],
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> dict[str, Any]:
    document = add_document(
        db, actor, application_id, kind, file.filename or "document", file.file, settings
    )
    return document_json(document)


@router.get("/applications/{application_id}/documents", responses=ERRORS)
def documents(application_id: int, db: DatabaseDep, actor: CurrentActor) -> list[dict[str, Any]]:
    return [document_json(d) for d in list_documents(db, actor, application_id)]


@router.post("/applications/{application_id}/submit", responses=ERRORS)
def submit(
    application_id: int,
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
    idempotency_key: Annotated[Text | None, Header(alias="Idempotency-Key")] = None,
) -> dict[str, Any]:
    return service.submit_application(db, actor, application_id, settings, idempotency_key)


@router.post("/applications/{application_id}/withdraw", responses=ERRORS)
def withdraw(
    application_id: int, db: DatabaseDep, actor: CurrentActor, body: OptionalReasonIn | None = None
) -> dict[str, Any]:
    service.withdraw_application(db, actor, application_id, body.reason if body else None)
    return queries.application_view(db, actor, application_id)


@router.post("/applications/{application_id}/request-documents", responses=ERRORS)
def request_documents(
    application_id: int, body: ReasonIn, db: DatabaseDep, actor: CurrentActor
) -> dict[str, Any]:
    service.request_documents(db, actor, application_id, body.reason)
    return queries.application_view(db, actor, application_id)


@router.post("/applications/{application_id}/override-eligibility", responses=ERRORS)
def override(
    application_id: int,
    body: ReasonIn,
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> dict[str, Any]:
    service.override_eligibility(db, actor, application_id, body.reason, settings)
    return queries.application_view(db, actor, application_id)


@router.get("/applications/{application_id}/events", responses=ERRORS)
def events(application_id: int, db: DatabaseDep, actor: CurrentActor) -> list[dict[str, Any]]:
    return queries.application_events(db, actor, application_id)


@router.post("/applications/{application_id}/shares/{funder}/propose", responses=ERRORS)
def propose(
    application_id: int,
    funder: Annotated[Text, Path(max_length=50)],
    body: ProposalIn,
    db: DatabaseDep,
    actor: CurrentActor,
    version: IfMatch,
) -> dict[str, Any]:
    propose_share(db, actor, application_id, funder, body.amount, body.comment, version)
    return queries.application_view(db, actor, application_id)


@router.get("/applications/{application_id}/letters", responses=ERRORS)
def letters(application_id: int, db: DatabaseDep, actor: CurrentActor) -> list[dict[str, Any]]:
    return queries.application_letters(db, actor, application_id)
