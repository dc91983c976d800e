"""`POST /api/v1/auth/token`: OAuth2 password flow, bearer tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import DatabaseDep, SettingsDep
from api.errors import error_responses
from engine.errors import Unauthenticated
from engine.services.accounts import authenticate, issue_token

router = APIRouter(tags=["auth"])


@router.post("/auth/token", responses=error_responses(401, 422))
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], db: DatabaseDep, settings: SettingsDep
) -> dict[str, str]:
    user = authenticate(db, form.username, form.password)
    if user is None:
        raise Unauthenticated("wrong username or password")
    return {"access_token": issue_token(user, settings), "token_type": "bearer"}
