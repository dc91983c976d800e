"""Signing in: throttled per account and per address, the same answer for unknown users."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.access import Actor
from engine.audit import record
from engine.clock import now
from engine.db import Database
from engine.errors import TooManyAttempts, Unauthenticated
from engine.models import LoginFailure, User
from engine.rulebook.text import require_text
from engine.services.accounts import authenticate, refuse_unencodable_password
from engine.settings import Settings

log = logging.getLogger("cofinance.auth")


def _seconds_until_below(
    session: Session, condition: Any, limit: int, since: datetime, window: timedelta
) -> int:
    """0 when fewer than `limit` failures match in the window; else the seconds until one
    enough of them has aged out of it for the count to drop below `limit`."""
    count = int(session.exec(select(func.count()).where(condition, LoginFailure.at >= since)).one())
    if count < limit:
        return 0
    # The (count - limit + 1)-th oldest failure of the window is the one to wait for.
    times = session.exec(
        select(LoginFailure.at)
        .where(condition, LoginFailure.at >= since)
        .order_by(col(LoginFailure.at))
        .offset(count - limit)
        .limit(1)
    ).all()
    at = times[0] if times else since
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return max(1, math.ceil((at + window - now()).total_seconds()))


def _throttle_seconds(db: Database, settings: Settings, username: str, address: str) -> int:
    """How long this sign-in must wait (0: it may go ahead)."""
    window = timedelta(minutes=settings.login_window_minutes)
    since = now() - window
    with db.reading() as session:
        return max(
            _seconds_until_below(
                session,
                LoginFailure.username == username,
                settings.login_failures_per_account,
                since,
                window,
            ),
            _seconds_until_below(
                session,
                LoginFailure.address == address,
                settings.login_failures_per_address,
                since,
                window,
            ),
        )


def sign_in(db: Database, settings: Settings, username: str, password: str, address: str) -> User:
    """The user whose password this is; 401 otherwise, 429 while guessing is throttled.

    A username no account can have (NUL, control characters, text UTF-8 cannot encode) or such
    a password is a 422 naming the field: nothing is looked up, nothing is recorded.
    """
    require_text({"username": username})
    refuse_unencodable_password(password)
    wait = _throttle_seconds(db, settings, username, address)
    if wait:
        log.warning("sign-in throttled: username=%r address=%s", username, address)
        raise TooManyAttempts(
            "too_many_requests.sign_in", retry_after=wait, minutes=settings.login_window_minutes
        )
    user = authenticate(db, username, password)
    if user is None:
        with db.transaction() as session:
            session.add(LoginFailure(username=username[:150], address=address[:64]))
        log.warning("sign-in failed: username=%r address=%s", username, address)
        raise Unauthenticated("unauthenticated.credentials")
    return user


def sign_out(db: Database, actor: Actor) -> None:
    """Invalidate every token of this user (tokens carry the generation they were issued in)."""
    with db.transaction() as session:
        user = session.get(User, actor.id)
        if user is None:
            raise Unauthenticated("unauthenticated.unknown_user")

        user.token_generation += 1
        assert user.id is not None
        record(session, "user", user.id, "sign_out", actor)
