"""`POST /api/v1/auth/token` (OAuth2 password flow) and `POST /api/v1/auth/logout`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentActor, DatabaseDep, SettingsDep
from api.errors import error_responses
from api.models.auth import PasswordResetConfirmIn, PasswordResetIn, PasswordResetOut, TokenOut
from engine.messages import render
from engine.services import password_reset
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


@router.post(
    "/auth/password-reset",
    status_code=202,
    response_model=PasswordResetOut,
    responses=error_responses(422, 429),
)
def ask_password_reset(
    body: PasswordResetIn, request: Request, db: DatabaseDep, settings: SettingsDep
) -> PasswordResetOut:
    """Email a single-use link to choose a new password to the account named (a username or an
    email address). The same answer whether an account matches or not; 429 when asked too
    often for that name or from that address."""
    address = request.client.host if request.client else "unknown"
    password_reset.request_password_reset(db, settings, body.username, address)
    return PasswordResetOut(detail=render("password_reset.sent"))


@router.post(
    "/auth/password-reset/confirm",
    response_model=PasswordResetOut,
    responses=error_responses(422),
)
def confirm_password_reset(body: PasswordResetConfirmIn, db: DatabaseDep) -> PasswordResetOut:
    """Set the new password with the emailed token (once, before it expires): every token and
    page session of the user stops working. 422 naming `token` when the link is no longer
    valid, `password` when the password is refused."""
    password_reset.confirm_password_reset(db, body.token, body.password)
    return PasswordResetOut(detail=render("password_reset.done"))
