"""Accounts, for the administrator: list, read, edit, deactivate or reactivate, and send a
password reset link."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, DatabaseDep, SettingsDep
from api.errors import error_responses
from api.models.common import Id
from api.models.users import UserOut, UserPatch
from engine.services import accounts, password_reset

router = APIRouter(tags=["users"])
ONE = error_responses(401, 403, 404, 409, 422)


@router.get("/users", response_model=list[UserOut], responses=error_responses(401, 403))
def list_users(db: DatabaseDep, actor: CurrentActor) -> list[UserOut]:
    return [UserOut.of(accounts.read_user(db, actor, i)) for i in accounts.list_user_ids(db, actor)]


@router.get("/users/{user_id}", response_model=UserOut, responses=error_responses(401, 403, 404))
def get_user(user_id: Id, db: DatabaseDep, actor: CurrentActor) -> UserOut:
    return UserOut.of(accounts.read_user(db, actor, user_id))


@router.patch("/users/{user_id}", response_model=UserOut, responses=ONE)
def patch_user(user_id: Id, body: UserPatch, db: DatabaseDep, actor: CurrentActor) -> UserOut:
    """Only the fields sent change; a change of role or attachment ends the user's tokens."""
    sent = body.model_dump(exclude_unset=True)
    changes = {
        {"funder": "funder_code"}.get(key, key): value
        for key, value in sent.items()
        if key in ("email", "funder", "organisation", "title") or value is not None
    }
    accounts.update_user(db, actor, user_id, **changes)
    return UserOut.of(accounts.read_user(db, actor, user_id))


@router.post("/users/{user_id}/deactivate", response_model=UserOut, responses=ONE)
def deactivate(user_id: Id, db: DatabaseDep, actor: CurrentActor) -> UserOut:
    """The user can no longer sign in; its tokens and page sessions stop working at once."""
    accounts.set_user_active(db, actor, user_id, False)
    return UserOut.of(accounts.read_user(db, actor, user_id))


@router.post("/users/{user_id}/reactivate", response_model=UserOut, responses=ONE)
def reactivate(user_id: Id, db: DatabaseDep, actor: CurrentActor) -> UserOut:
    accounts.set_user_active(db, actor, user_id, True)
    return UserOut.of(accounts.read_user(db, actor, user_id))


@router.post("/users/{user_id}/password-reset", response_model=UserOut, responses=ONE)
def send_reset(user_id: Id, db: DatabaseDep, settings: SettingsDep, actor: CurrentActor) -> UserOut:
    """Email the user a link to choose a new password (through the outbox)."""
    password_reset.admin_password_reset(db, settings, actor, user_id)
    return UserOut.of(accounts.read_user(db, actor, user_id))
