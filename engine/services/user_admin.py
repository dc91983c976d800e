"""The administrator's editing of accounts: read, update, (de)activate and list users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from engine.access import ROLES, Actor, require_role
from engine.audit import record
from engine.clock import now
from engine.db import Database
from engine.errors import Conflict, NotFound
from engine.models import Funder, Organisation, PasswordReset, User
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text

_UNSET: Any = object()


def _user_has_title() -> bool:
    # The job title column arrives with another migration: edit it only once it exists.
    return "title" in User.model_fields


def update_user(
    db: Database,
    actor: Actor,
    user_id: int,
    *,
    name: str | None = None,
    email: str | None = _UNSET,
    role: str | None = None,
    funder_code: str | None = _UNSET,
    organisation: str | None = _UNSET,
    title: str | None = _UNSET,
) -> User:
    """Change a user's name, email, role and attachment (funder or organisation); title too
    when the column exists. Only what is given changes; one event lists what did."""
    require_role(actor, "admin")
    require_text(
        {
            "name": name,
            "email": None if email is _UNSET else email,
            "funder": None if funder_code is _UNSET else funder_code,
            "organisation": None if organisation is _UNSET else organisation,
            "title": None if title is _UNSET else title,
        }
    )
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("not_found.user", id=user_id)
        errors: list[FieldError] = []
        new_role = role if role is not None else user.role
        if new_role not in ROLES:
            errors.append(FieldError("role", "not_a_choice"))
        if name is not None and not 1 <= len(name.strip()) <= 300:
            errors.append(FieldError("name", "length_between", min=1, max=300))
        if title is not _UNSET and title is not None and len(title) > 200:
            errors.append(FieldError("title", "too_long", max_length=200))
        if email is not _UNSET and email is not None and not _looks_like_email(email):
            errors.append(FieldError("email", "email_expected"))
        funder_id = user.funder_id
        if funder_code is not _UNSET:
            funder_id = None
            if funder_code:
                funder = session.exec(select(Funder).where(Funder.code == funder_code)).first()
                if funder is None:
                    errors.append(FieldError("funder", "unknown_funder", code=funder_code))
                else:
                    funder_id = funder.id
        organisation_id = user.organisation_id
        if organisation is not _UNSET:
            organisation_id = None
            if organisation:
                org = session.exec(
                    select(Organisation).where(Organisation.name == organisation)
                ).first()
                if org is None:
                    org = Organisation(name=organisation, email=email or user.email)
                    session.add(org)
                    session.flush()
                organisation_id = org.id
        if new_role == "funder" and funder_id is None and not errors:
            errors.append(FieldError("funder", "funder_needs_code"))
        if new_role == "applicant" and organisation_id is None:
            errors.append(FieldError("organisation", "applicant_needs_organisation"))
        if errors:
            raise InvalidInput(errors)
        if user.id == actor.id and new_role != "admin":
            raise Conflict("wrong_state.own_admin_role")
        # A role only keeps the attachment it uses.
        if new_role != "funder":
            funder_id = None
        if new_role != "applicant":
            organisation_id = None
        before = _user_fields(user)
        if name is not None:
            user.name = name.strip()
        if email is not _UNSET:
            user.email = email or None
        user.role = new_role
        user.funder_id = funder_id
        user.organisation_id = organisation_id
        if title is not _UNSET and _user_has_title():
            setattr(user, "title", title or None)  # noqa: B010 (column added by migration 0007)
        after = _user_fields(user)
        changed = {k: after[k] for k in after if after[k] != before[k]}
        if changed.keys() & {"role", "funder_id", "organisation_id"}:
            # Tokens carry the role they were issued with: end them when it changes.
            user.token_generation += 1
        session.add(user)
        session.flush()
        assert user.id is not None
        if changed:
            record(session, "user", user.id, "update", actor, data={"changed": sorted(changed)})
        return user


def _user_fields(user: User) -> dict[str, Any]:
    fields = {
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "funder_id": user.funder_id,
        "organisation_id": user.organisation_id,
    }
    if _user_has_title():
        fields["title"] = getattr(user, "title", None)
    return fields


def _looks_like_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(at and local and "." in domain and " " not in value and len(value) <= 320)


def set_user_active(db: Database, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account: a deactivated user cannot sign in, and every token
    and page session of it stops working at once (its token generation moves on)."""
    require_role(actor, "admin")
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("not_found.user", id=user_id)
        if user.id == actor.id:
            raise Conflict("wrong_state.own_account")
        if user.active and active:
            raise Conflict("wrong_state.already_active")
        if not user.active and not active:
            raise Conflict("wrong_state.inactive")
        user.active = active
        user.token_generation += 1
        if not active:  # a password reset link sent before dies with the account's sessions
            session.exec(
                update(PasswordReset)
                .where(col(PasswordReset.user_id) == user.id, col(PasswordReset.used_at).is_(None))
                .values(used_at=now())
            )
        session.add(user)
        session.flush()
        assert user.id is not None
        record(
            session,
            "user",
            user.id,
            "reactivate" if active else "deactivate",
            actor,
            from_state="inactive" if active else "active",
            to_state="active" if active else "inactive",
        )
        return user


def get_user(db: Database, actor: Actor, user_id: int) -> User:
    require_role(actor, "admin")
    with db.reading() as session:
        user = session.get(User, user_id)
    if user is None:
        raise NotFound("not_found.user", id=user_id)
    return user


def read_user(db: Database, actor: Actor, user_id: int) -> dict[str, Any]:
    """A user as the administrator sees it: its funder's code, its organisation's name."""
    require_role(actor, "admin")
    with db.reading() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("not_found.user", id=user_id)
        funder = session.get(Funder, user.funder_id) if user.funder_id else None
        organisation = (
            session.get(Organisation, user.organisation_id) if user.organisation_id else None
        )
        return {
            "id": user.id,
            "username": user.username,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "funder": funder.code if funder else None,
            "organisation": organisation.name if organisation else None,
            "title": getattr(user, "title", None),
            "active": user.active,
        }


def list_user_ids(db: Database, actor: Actor) -> list[int]:
    require_role(actor, "admin")
    with db.reading() as session:
        return [u for u in session.exec(select(User.id).order_by(User.username)) if u is not None]
