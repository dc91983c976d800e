"""`cofinance demo`: a demo département (Isère) built through the services; safe to load twice.

Every row is made by the same service functions the API calls, so it carries its events, letters
and outbox rows exactly as in real use. The administrator account is created last: when it exists
the demo is complete, and a second load only prints the logins again.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from engine import clock
from engine.cli.errors import CommandError
from engine.db import Database, get_database
from engine.demo.people import ADMIN, APPLICANTS, CHAIR, FUNDER_USERS, FUNDERS, DemoUser
from engine.demo.story import Story
from engine.migrations import upgrade
from engine.models import Application, Call, Funder, Letter, Meeting, User
from engine.settings import Settings
from workflows.application import APPLICATION

__all__ = ["DemoError", "load"]


class DemoError(CommandError):
    """The database holds something else than the demo: nothing is loaded."""


def load(settings: Settings) -> list[str]:
    """Migrate if needed, load the demo unless it is there already, return the lines to print."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url, data_dir=settings.data_dir)
    db = get_database(settings)
    if _is_loaded(db):
        headline = f"Demo already loaded: {settings.base_url}"
    else:
        _require_empty(db, settings)
        # Demo addresses are not real: the history's emails are written as .eml files.
        Story(db, settings.model_copy(update={"smtp_url": None}), clock.now()).play()
        headline = f"Demo loaded: {settings.base_url}"
    return [headline, *_summary(db, settings), "", *_logins()]


def _is_loaded(db: Database) -> bool:
    with db.reading() as session:
        admin = session.exec(select(User).where(User.username == ADMIN.username)).first()
    return admin is not None and admin.email == ADMIN.email


def _require_empty(db: Database, settings: Settings) -> None:
    with db.reading() as session:
        users = session.exec(select(func.count()).select_from(User)).one()
        funders = session.exec(select(func.count()).select_from(Funder)).one()
    if users or funders:
        raise DemoError(
            f"the database already holds {users} user(s) and {funders} funder(s) but not the "
            "complete demo; the demo loads into an empty database: remove "
            f"{settings.data_dir} or set COFINANCE_DATABASE_URL to a new database"
        )


def _summary(db: Database, settings: Settings) -> list[str]:
    with db.reading() as session:
        states = dict(
            session.exec(select(Application.state, func.count()).group_by(Application.state)).all()
        )
        meetings = dict(
            session.exec(select(Meeting.state, func.count()).group_by(Meeting.state)).all()
        )
        calls = dict(session.exec(select(Call.state, func.count()).group_by(Call.state)).all())
        letters = session.exec(select(func.count()).select_from(Letter)).one()
    by_state = ", ".join(
        f"{state.id} {states[state.id]}" for state in APPLICATION.states if states.get(state.id)
    )
    return [
        f"Département {settings.department} ({settings.department_name}): {len(FUNDERS)} funders, "
        + ", ".join(f"{n} {state} call(s)" for state, n in sorted(calls.items())),
        f"Applications ({sum(states.values())}): {by_state}",
        "Sessions: "
        + ", ".join(f"{n} {state}" for state, n in sorted(meetings.items()))
        + f"; {letters} letters and minutes (PDF) under {settings.data_dir / 'letters'}",
        f"Emails of the demo's history: .eml files under {settings.data_dir / 'outbox'}",
        f"API documentation: {settings.base_url}/docs",
    ]


def _logins() -> list[str]:
    users: tuple[DemoUser, ...] = (ADMIN, CHAIR, *FUNDER_USERS, *APPLICANTS)
    width = max(len(u.username) for u in users) + 2
    rows = [
        f"{'username':<{width}}{'role':<11}{'password':<21}can",
        *(f"{u.username:<{width}}{u.role:<11}{u.password:<21}{u.can}" for u in users),
    ]
    return ["Logins (demo passwords: never use them for real data):", *rows]
