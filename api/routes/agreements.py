"""Agreements: the holder returns the signed convention, a member of the funder countersigns;
the convention's PDF (and the signed copy) for those who may see the file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep, SettingsDep
from api.errors import error_responses
from api.models.agreements import AgreementOut
from api.models.common import binary_response
from api.routes.sessions import pdf_response
from engine.db import Database
from engine.models import Agreement, Funder
from engine.services.agreement_signing import (
    convention_file,
    countersign_agreement,
    sign_agreement,
)

router = APIRouter(tags=["agreements"])
CHANGE = error_responses(401, 403, 404, 409, 422)
PDF = {
    **error_responses(401, 403, 404),
    **binary_response("The convention, as a PDF", "application/pdf"),
}


def _out(db: Database, agreement: Agreement) -> AgreementOut:
    with db.reading() as session:
        funder = session.get(Funder, agreement.funder_id)
    return AgreementOut.of(agreement, funder.code if funder else "")


@router.post("/agreements/{agreement_id}/sign", response_model=AgreementOut, responses=CHANGE)
def sign(
    agreement_id: int,
    file: Annotated[UploadFile, File()],
    db: DatabaseDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> AgreementOut:
    """The holder uploads the convention it signed (a PDF; anything else: 422 naming `file`)."""
    agreement = sign_agreement(
        db, actor, agreement_id, file.filename or "convention.pdf", file.file, settings
    )
    return _out(db, agreement)


@router.post(
    "/agreements/{agreement_id}/countersign", response_model=AgreementOut, responses=CHANGE
)
def countersign(agreement_id: int, db: DatabaseDep, actor: CurrentActor) -> AgreementOut:
    """A member of the funder countersigns: in force, the advance is scheduled."""
    return _out(db, countersign_agreement(db, actor, agreement_id))


@router.get("/agreements/{agreement_id}/pdf", responses=PDF, response_class=Response)
def convention_pdf(agreement_id: int, db: DatabaseDep, actor: CurrentActor) -> Response:
    content = convention_file(db, actor, agreement_id, signed=False)
    return pdf_response(content, f"convention-{agreement_id}.pdf")


@router.get("/agreements/{agreement_id}/signed", responses=PDF, response_class=Response)
def signed_pdf(agreement_id: int, db: DatabaseDep, actor: CurrentActor) -> Response:
    """The copy the holder signed and uploaded (404 until then)."""
    content = convention_file(db, actor, agreement_id, signed=True)
    return pdf_response(content, f"convention-{agreement_id}-signee.pdf")
