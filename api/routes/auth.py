"""`POST /api/v1/auth/token` (OAuth2 password flow) and `POST /api/v1/auth/logout`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentActor, DatabaseDep, SettingsDep
from api.errors import error_responses
from api.models.auth import TokenOut
from engine.services.accounts import issue_token
from engine.services.signin import sign_in, sign_out

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenOut, responses=error_responses(401, 422, 429))
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
) -> TokenOut:
    address = request.client.host if request.client else "unknown"
    user = sign_in(db, settings, form.username, form.password, address)
    return TokenOut(access_token=issue_token(user, settings), token_type="bearer")


@router.post("/auth/logout", status_code=204, response_model=None, responses=error_responses(401))
def logout(db: DatabaseDep, actor: CurrentActor) -> None:
    sign_out(db, actor)
