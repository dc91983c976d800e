"""A new password by email: a request, a single-use link, a new password.

A request names a username or an email address and always gets the same answer, whether an
account matches or not (no account enumeration). For an active account with an address, a random
token is drawn; only its SHA-256 is stored, with its expiry (`COFINANCE_PASSWORD_RESET_MINUTES`),
and the link holding it is queued in the outbox in the same transaction (the dispatcher sends it).
The token works once; asking again, or any change of the password, kills the previous ones.
Setting the new password moves the token generation on: every token and page session of the user
stops working. Requests are throttled per typed name and per address, like failed sign-ins, with
the same answer for known and unknown accounts.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from engine.access import SYSTEM, Actor, require_role
from engine.audit import record
from engine.clock import now
from engine.db import Database
from engine.errors import NotFound, TooManyAttempts
from engine.models import OutboxMessage, PasswordReset, User
from engine.notify.render import render_email
from engine.rulebook import FieldError, InvalidInput
from engine.rulebook.text import require_text
from engine.services.accounts import hash_password
from engine.settings import Settings

log = logging.getLogger("cofinance.auth")
RESET_PATH = "/mot-de-passe/nouveau"
EMAIL_KIND = "password_reset"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def reset_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}{RESET_PATH}?jeton={quote(token)}"


def _count_since(session: Session, condition: Any, since: datetime) -> int:
    query = (
        select(func.count())
        .select_from(PasswordReset)
        .where(condition, col(PasswordReset.at) >= since)
    )
    return int(session.exec(query).one())


def _throttle(db: Database, settings: Settings, username: str, address: str) -> None:
    window = timedelta(minutes=settings.password_reset_window_minutes)
    since = now() - window
    with db.reading() as session:
        per_name = _count_since(session, PasswordReset.username == username, since)
        per_address = _count_since(session, PasswordReset.address == address, since)
    if (
        per_name >= settings.password_resets_per_account
        or per_address >= settings.password_resets_per_address
    ):
        log.warning("password reset throttled: username=%r address=%s", username, address)
        raise TooManyAttempts(
            "too_many_requests.password_reset",
            retry_after=int(window.total_seconds()),
            minutes=settings.password_reset_window_minutes,
        )


def _find_user(session: Session, name: str) -> User | None:
    """The active account with this username, or the one active account with this address."""
    user = session.exec(select(User).where(User.username == name)).first()
    if user is None and "@" in name:
        matches = list(
            session.exec(
                select(User).where(func.lower(User.email) == name.lower(), col(User.active))
            )
        )
        user = matches[0] if len(matches) == 1 else None
    if user is None or not user.active or not user.email:
        return None
    return user


def _issue(session: Session, settings: Settings, user: User, username: str, address: str) -> str:
    """Kill the user's earlier tokens, store a new one's hash and queue its email."""
    assert user.id is not None
    moment = now()
    session.exec(
        update(PasswordReset)
        .where(
            col(PasswordReset.user_id) == user.id,
            col(PasswordReset.used_at).is_(None),
            col(PasswordReset.token_hash).is_not(None),
        )
        .values(used_at=moment)
    )
    token = secrets.token_urlsafe(32)
    minutes = settings.password_reset_minutes
    session.add(
        PasswordReset(
            username=username[:320],
            address=address[:64],
            user_id=user.id,
            token_hash=_digest(token),
            password_stamp=_digest(user.password_hash),
            at=moment,
            expires_at=moment + timedelta(minutes=minutes),
        )
    )
    assert user.email is not None
    subject, text, html = render_email(
        EMAIL_KIND,
        {"user": user, "link": reset_link(settings, token), "minutes": minutes},
    )
    # Not through `enqueue`: the link must not be copied into an in-app notification.
    session.add(
        OutboxMessage(
            kind=EMAIL_KIND,
            recipient=user.email,
            subject=" ".join(subject.split())[:300],
            body_text=text,
            body_html=html,
            message_id=f"<{secrets.token_hex(16)}@cofinance.local>",
            created_at=moment,
            next_attempt_at=moment,
        )
    )
    return token


def request_password_reset(db: Database, settings: Settings, username: str, address: str) -> None:
    """Ask for a new password for `username` (a username or an email address).

    Answers nothing either way: the caller shows the same neutral sentence. 429 when requests for
    that name, or from that address, are too many in the window (known or not alike)."""
    require_text({"username": username})
    name = username.strip()
    if not 1 <= len(name) <= 320:
        raise InvalidInput([FieldError("username", "length_between", min=1, max=320)])
    _throttle(db, settings, name, address)
    with db.transaction() as session:
        user = _find_user(session, name)
        if user is None:
            session.add(PasswordReset(username=name[:320], address=address[:64], at=now()))
            log.info("password reset asked for no account: username=%r", name)
            return
        _issue(session, settings, user, name, address)
        assert user.id is not None
        record(session, "user", user.id, "password_reset_request", SYSTEM)


def admin_password_reset(db: Database, settings: Settings, actor: Actor, user_id: int) -> User:
    """The administrator sends a user the link to choose a new password."""
    require_role(actor, "admin")
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("not_found.user", id=user_id)
        if not user.active:
            from engine.errors import Conflict

            raise Conflict("wrong_state.inactive")
        if not user.email:
            raise InvalidInput([FieldError("email", "reset_needs_email")])
        _issue(session, settings, user, user.username, "admin")
        assert user.id is not None
        record(session, "user", user.id, "password_reset_request", actor)
        return user


def _valid_reset(session: Session, token: str) -> tuple[PasswordReset, User] | None:
    if not token or len(token) > 200:
        return None
    row = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == _digest(token))
    ).first()
    if row is None or row.used_at is not None or row.user_id is None:
        return None
    if row.expires_at is None or row.expires_at <= now():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or row.password_stamp != _digest(user.password_hash):
        return None
    return row, user


def check_reset_token(db: Database, token: str) -> bool:
    """Whether the link still works (to show the form, or say it has expired)."""
    with db.reading() as session:
        return _valid_reset(session, token) is not None


def confirm_password_reset(db: Database, token: str, password: str) -> User:
    """Set the new password of the token's user: the token is spent, every other one too, and
    every token and page session of the user stops working. 422 naming `token` when the link
    is unknown, used, expired or outdated; 422 naming `password` for a password too short."""
    require_text({"token": token})
    password_hash = hash_password(password)
    with db.transaction() as session:
        found = _valid_reset(session, token)
        if found is None:
            raise InvalidInput([FieldError("token", "reset_link_invalid")])
        row, user = found
        moment = now()
        session.exec(
            update(PasswordReset)
            .where(
                or_(
                    col(PasswordReset.id) == row.id,
                    (col(PasswordReset.user_id) == user.id) & col(PasswordReset.used_at).is_(None),
                )
            )
            .values(used_at=moment)
        )
        user.password_hash = password_hash
        user.token_generation += 1
        session.add(user)
        session.flush()
        assert user.id is not None
        record(session, "user", user.id, "password_reset", Actor.of(user))
        return user
