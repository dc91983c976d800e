"""Users and organisations: creation, password check (argon2id), bearer tokens.

The administrator's editing of accounts lives in engine.services.user_admin (re-exported here).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select

from engine.access import ROLES, Actor
from engine.db import Database
from engine.errors import Conflict, Unauthenticated
from engine.models import Funder, Organisation, User
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text, unencodable
from engine.services.user_admin import (
    get_user,
    list_user_ids,
    read_user,
    set_user_active,
    update_user,
)
from engine.settings import Settings

__all__ = [
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "PasswordHasher",
    "actor_from_token",
    "authenticate",
    "create_user",
    "get_user",
    "hash_password",
    "issue_token",
    "list_user_ids",
    "read_user",
    "refuse_unencodable_password",
    "set_user_active",
    "update_user",
]

_hasher = PasswordHasher()
# Verified against when the user does not exist, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024


def hash_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            [FieldError("password", "length_between", min=MIN_PASSWORD, max=MAX_PASSWORD)]
        )
    # Any character a person can type is welcome in a password, but it is hashed as UTF-8.
    refuse_unencodable_password(password)
    return _hasher.hash(password)


def refuse_unencodable_password(password: str) -> None:
    if unencodable(password):
        raise InvalidInput([FieldError("password", "text_unencodable")])


def create_user(
    db: Database,
    username: str,
    password: str,
    role: str,
    *,
    name: str | None = None,
    email: str | None = None,
    funder_code: str | None = None,
    organisation: str | None = None,
) -> User:
    require_text(
        {
            "username": username,
            "name": name,
            "email": email,
            "funder": funder_code,
            "organisation": organisation,
        }
    )
    errors = []
    if role not in ROLES:
        errors.append(FieldError("role", "not_a_choice"))
    if not username.strip() or len(username) > 150:
        errors.append(FieldError("username", "length_between", min=1, max=150))
    if role == "funder" and not funder_code:
        errors.append(FieldError("funder", "funder_needs_code"))
    if role == "applicant" and not organisation:
        errors.append(FieldError("organisation", "applicant_needs_organisation"))
    if errors:
        raise InvalidInput(errors)
    password_hash = hash_password(password)
    with db.transaction() as session:
        if session.exec(select(User).where(User.username == username)).first():
            raise Conflict("duplicate.user", username=username)
        funder_id = organisation_id = None
        if role == "funder":
            funder = session.exec(select(Funder).where(Funder.code == funder_code)).first()
            if funder is None:
                raise InvalidInput([FieldError("funder", "unknown_funder", code=funder_code)])

            funder_id = funder.id
        if role == "applicant":
            assert organisation is not None
            org = session.exec(
                select(Organisation).where(Organisation.name == organisation)
            ).first()
            if org is None:
                org = Organisation(name=organisation, email=email)
                session.add(org)
                session.flush()
            organisation_id = org.id
        user = User(
            username=username,
            name=name or username,
            email=email,
            password_hash=password_hash,
            role=role,
            funder_id=funder_id,
            organisation_id=organisation_id,
        )
        session.add(user)
        session.flush()
        return user


def authenticate(db: Database, username: str, password: str) -> User | None:
    with db.reading() as session:
        user = session.exec(select(User).where(User.username == username)).first()
    try:
        if user is None or not user.active:
            _hasher.verify(_DUMMY_HASH, password)
            return None
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def issue_token(user: User, settings: Settings) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "gen": user.token_generation,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=settings.token_minutes)).timestamp()),
    }
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


def actor_from_token(db: Database, token: str, settings: Settings) -> Actor:
    try:
        # A token without an expiry would be valid for ever, even signed with our key.
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=["HS256"],
            options={"require": ["exp", "iat", "sub"]},
        )
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise Unauthenticated("unauthenticated.token") from None
    with db.reading() as session:
        user = session.get(User, user_id)
    if user is None or not user.active or claims.get("gen") != user.token_generation:
        raise Unauthenticated("unauthenticated.token")
    return Actor.of(user)
