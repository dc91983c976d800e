"""Dependencies injected into routes: settings, database, the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer

from engine.access import Actor
from engine.db import Database, get_database
from engine.errors import Unauthenticated
from engine.services.accounts import actor_from_token
from engine.settings import Settings, get_settings

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

SettingsDep = Annotated[Settings, Depends(get_settings)]


def database(settings: SettingsDep) -> Database:
    return get_database(settings)


DatabaseDep = Annotated[Database, Depends(database)]


def current_actor(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2)],
) -> Actor:
    if not token:
        raise Unauthenticated("unauthenticated.required")
    actor = actor_from_token(db, token, settings)
    request.state.actor = actor  # so a refusal can be logged with who tried
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def if_match(value: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """The version a client last saw (`If-Match: 3` or `"3"`); None when not sent."""
    if value is None:
        return None
    try:
        return int(value.strip().strip("W/").strip('"'))
    except ValueError:
        from engine.rulebook import FieldError, InvalidInput

        raise InvalidInput([FieldError("If-Match", "version_expected")]) from None


IfMatch = Annotated[int | None, Depends(if_match)]
