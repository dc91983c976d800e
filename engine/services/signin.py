"""Signing in: throttled per account and per address, the same answer for unknown users."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from engine.access import Actor
from engine.audit import record
from engine.clock import now
from engine.db import Database
from engine.errors import TooManyAttempts, Unauthenticated
from engine.models import LoginFailure, User
from engine.services.accounts import authenticate
from engine.settings import Settings

log = logging.getLogger("cofinance.auth")
WRONG = "wrong username or password"


def _recent_failures(
    db: Database, settings: Settings, username: str, address: str
) -> tuple[int, int]:
    since = now() - timedelta(minutes=settings.login_window_minutes)
    with db.reading() as session:
        per_account = session.exec(
            select(func.count()).where(LoginFailure.username == username, LoginFailure.at >= since)
        ).one()
        per_address = session.exec(
            select(func.count()).where(LoginFailure.address == address, LoginFailure.at >= since)
        ).one()
    return int(per_account), int(per_address)


def sign_in(db: Database, settings: Settings, username: str, password: str, address: str) -> User:
    """The user whose password this is; 401 otherwise, 429 while guessing is throttled."""
    per_account, per_address = _recent_failures(db, settings, username, address)
    if (
        per_account >= settings.login_failures_per_account
        or per_address >= settings.login_failures_per_address
    ):
        log.warning("sign-in throttled: username=%r address=%s", username, address)
        raise TooManyAttempts(
            f"too many failed sign-ins: try again in {settings.login_window_minutes} minutes"
        )
    user = authenticate(db, username, password)
    if user is None:
        with db.transaction() as session:
            session.add(LoginFailure(username=username[:150], address=address[:64]))
        log.warning("sign-in failed: username=%r address=%s", username, address)
        raise Unauthenticated(WRONG)
    return user


def sign_out(db: Database, actor: Actor) -> None:
    """Invalidate every token of this user (tokens carry the generation they were issued in)."""
    with db.transaction() as session:
        user = session.get(User, actor.id)
        if user is None:
            raise Unauthenticated("unknown user")
        user.token_generation += 1
        assert user.id is not None
        record(session, "user", user.id, "sign_out", actor)
