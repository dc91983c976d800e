"""Applications: file, edit, upload, submit, withdraw, chair checks, events, letters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Path, Query, UploadFile

from api.deps import CurrentActor, DatabaseDep, IfMatch, SettingsDep
from api.errors import error_responses
from api.models.applications import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPageOut,
    ApplicationPatch,
    EventOut,
    OptionalReasonIn,
    ProposalIn,
    ReasonIn,
    application_answer,
)
from api.models.documents import DocumentOut
from api.models.letters import LetterOut
from engine.rulebook import Text
from engine.services import applications as service
from engine.services import queries
from engine.services.documents import add_document, list_documents
from engine.services.shares import propose_share

router = APIRouter(tags=["applications"])
READ = error_responses(401, 403, 404)
# A change: refused (403), not found (404), in the wrong state or changed meanwhile (409), bad
# input (422).
CHANGE = error_responses(401, 403, 404, 409, 422)


def _view(db: DatabaseDep, actor: CurrentActor, application_id: int) -> ApplicationOut:
    return ApplicationOut.of(queries.application_view(db, actor, application_id))


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationOut,
    responses=error_responses(401, 403, 422),
)
def create(body: ApplicationIn, db: DatabaseDep, actor: CurrentActor) -> ApplicationOut:
    application = service.create_application(db, actor, body.call_id, body.title, body.application)
    return _view(db, actor, application.id or 0)


@router.post(
    "/applications/{application_id}/copy",
    status_code=201,
    response_model=ApplicationOut,
    responses=CHANGE,
)
def copy(application_id: int, db: DatabaseDep, actor: CurrentActor) -> ApplicationOut:
    """A new draft from this application (its holder's), in the open call of the same scheme:
    same project, territory, budget and facts, dates moved to the new call's year, the
    profile's reusable documents joined (409 `no_open_call` when no call of the scheme is
    open)."""
    application = service.copy_application(db, actor, application_id)
    return _view(db, actor, application.id or 0)


@router.get(
    "/applications",
    response_model=ApplicationPageOut,
    responses=error_responses(401, 403, 422),
)
def list_applications(
    db: DatabaseDep,
    actor: CurrentActor,
    call_id: int | None = None,
    state: Annotated[Text | None, Query(max_length=50)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ApplicationPageOut:
    """`{items, total, offset, limit}`: the applications the caller may see, without traces."""
    page = queries.list_applications(db, actor, call_id, state, offset, limit)
    return ApplicationPageOut.of(page)


@router.get("/applications/{application_id}", response_model=ApplicationOut, responses=READ)
def get(application_id: int, db: DatabaseDep, actor: CurrentActor) -> ApplicationOut:
    return _view(db, actor, application_id)


@router.patch("/applications/{application_id}", response_model=ApplicationOut, responses=CHANGE)
def patch(
    application_id: int,
    body: ApplicationPatch,
    db: DatabaseDep,
    actor: CurrentActor,
    version: IfMatch,
) -> ApplicationOut:
    service.update_application(
        db, actor, application_id, title=body.title, raw=body.application, if_match=version
    )
    return _view(db, actor, application_id)


@router.post(
    "/applications/{application_id}/documents",
    status_code=201,
    response_model=DocumentOut,
    responses=error_responses(401, 403, 404, 409, 422, 507),
)
def upload(
    application_id: int,
    kind: Annotated[Text, Form(max_length=50)],
    file: Annotated[UploadFile, File()],
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> DocumentOut:
    document = add_document(
        db, actor, application_id, kind, file.filename or "document", file.file, settings
    )
    return DocumentOut.of(document)


@router.get(
    "/applications/{application_id}/documents",
    response_model=list[DocumentOut],
    responses=READ,
)
def documents(application_id: int, db: DatabaseDep, actor: CurrentActor) -> list[DocumentOut]:
    return [DocumentOut.of(d) for d in list_documents(db, actor, application_id)]


@router.post(
    "/applications/{application_id}/submit", response_model=ApplicationOut, responses=CHANGE
)
def submit(
    application_id: int,
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
    idempotency_key: Annotated[Text | None, Header(alias="Idempotency-Key")] = None,
) -> ApplicationOut:
    """Run the checks; with an `Idempotency-Key`, a retry gets the first answer again."""
    answer = service.submit_once(
        db, actor, application_id, settings, idempotency_key, application_answer
    )
    return ApplicationOut.model_validate(answer)


@router.post(
    "/applications/{application_id}/withdraw", response_model=ApplicationOut, responses=CHANGE
)
def withdraw(
    application_id: int, db: DatabaseDep, actor: CurrentActor, body: OptionalReasonIn | None = None
) -> ApplicationOut:
    service.withdraw_application(db, actor, application_id, body.reason if body else None)
    return _view(db, actor, application_id)


@router.post(
    "/applications/{application_id}/request-documents",
    response_model=ApplicationOut,
    responses=CHANGE,
)
def request_documents(
    application_id: int, body: ReasonIn, db: DatabaseDep, actor: CurrentActor
) -> ApplicationOut:
    service.request_documents(db, actor, application_id, body.reason)
    return _view(db, actor, application_id)


@router.post(
    "/applications/{application_id}/override-eligibility",
    response_model=ApplicationOut,
    responses=CHANGE,
)
def override(
    application_id: int,
    body: ReasonIn,
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> ApplicationOut:
    service.override_eligibility(db, actor, application_id, body.reason, settings)
    return _view(db, actor, application_id)


@router.get("/applications/{application_id}/events", response_model=list[EventOut], responses=READ)
def events(application_id: int, db: DatabaseDep, actor: CurrentActor) -> list[EventOut]:
    return [EventOut.of(e) for e in queries.application_events(db, actor, application_id)]


@router.post(
    "/applications/{application_id}/shares/{funder}/propose",
    response_model=ApplicationOut,
    responses=CHANGE,
)
def propose(
    application_id: int,
    funder: Annotated[Text, Path(max_length=50)],
    body: ProposalIn,
    db: DatabaseDep,
    actor: CurrentActor,
    version: IfMatch,
) -> ApplicationOut:
    propose_share(db, actor, application_id, funder, body.amount, body.comment, version)
    return _view(db, actor, application_id)


@router.get(
    "/applications/{application_id}/letters", response_model=list[LetterOut], responses=READ
)
def letters(application_id: int, db: DatabaseDep, actor: CurrentActor) -> list[LetterOut]:
    return [LetterOut.of(x) for x in queries.application_letters(db, actor, application_id)]
