"""`/organisations/me`: the holder's organisation profile and its reusable documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep, SettingsDep
from api.errors import error_responses
from api.models.common import binary_response
from api.models.organisations import OrganisationOut, OrganisationPatch
from api.routes.documents import CONTENT_TYPES, content_disposition
from engine.rulebook import Text
from engine.services import organisations as service

router = APIRouter(tags=["organisations"])


@router.get(
    "/organisations/me", response_model=OrganisationOut, responses=error_responses(401, 403, 404)
)
def my_organisation(db: DatabaseDep, actor: CurrentActor) -> OrganisationOut:
    """The caller's organisation (project holders): identity and reusable documents."""
    return OrganisationOut.model_validate(service.profile(db, actor))


@router.patch(
    "/organisations/me",
    response_model=OrganisationOut,
    responses=error_responses(401, 403, 404, 422),
)
def change_my_organisation(
    body: OrganisationPatch, db: DatabaseDep, actor: CurrentActor
) -> OrganisationOut:
    changes = body.model_dump(exclude_unset=True)
    return OrganisationOut.model_validate(service.update_profile(db, actor, changes))


@router.post(
    "/organisations/me/documents",
    status_code=201,
    response_model=OrganisationOut,
    responses=error_responses(401, 403, 404, 422, 507),
)
def add_my_document(
    kind: Annotated[Text, Form(max_length=50)],
    file: Annotated[UploadFile, File()],
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> OrganisationOut:
    """Keep a reusable document (statuts, RIB…): it is joined to each new application."""
    profile = service.add_profile_document(
        db, actor, kind, file.filename or "document", file.file, settings
    )
    return OrganisationOut.model_validate(profile)


@router.delete(
    "/organisations/me/documents/{document_id}",
    response_model=OrganisationOut,
    responses=error_responses(401, 403, 404),
)
def remove_my_document(document_id: int, db: DatabaseDep, actor: CurrentActor) -> OrganisationOut:
    return OrganisationOut.model_validate(service.remove_profile_document(db, actor, document_id))


@router.get(
    "/organisations/me/documents/{document_id}",
    responses={
        **error_responses(401, 403, 404),
        **binary_response("The document, as an attachment", *CONTENT_TYPES),
    },
    response_class=Response,
)
def my_document(document_id: int, db: DatabaseDep, actor: CurrentActor) -> Response:
    document, content = service.profile_document_file(db, actor, document_id)
    return Response(
        content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": content_disposition("attachment", document.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'; frame-ancestors 'none'",
            "Cache-Control": "private, no-store",
        },
    )
