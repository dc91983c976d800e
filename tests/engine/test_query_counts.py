"""Pages read in a constant number of SQL statements: 5 files or 50, the same count (no N+1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from engine.access import Actor
from engine.db import Database
from engine.demo.scale import ScalePlan, ScaleSummary, generate
from engine.models import User
from engine.services import queries, sessions
from engine.settings import Settings


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements(db: Database, read: Callable[[], Any]) -> int:
    read()  # warm-up: the first use of a connection may issue set-up statements
    with counting(db) as seen:
        read()
    return len(seen)


def actor(db: Database, username: str) -> Actor:
    with db.reading() as session:
        return Actor.of(session.exec(select(User).where(User.username == username)).one())


def data_set(db: Database, settings: Settings, files: int) -> ScaleSummary:
    """`files` drafts of one holder and a session of `files` files, in calls of their own."""
    plan = ScalePlan(0, drafts=files, draft_holders=1, ready_sessions=1, ready_size=files)
    return generate(db, plan, settings)


@pytest.fixture
def small_and_large(db: Database, settings: Settings) -> tuple[ScaleSummary, ScaleSummary]:
    return data_set(db, settings, 5), data_set(db, settings, 50)


def test_the_funder_inbox_and_the_holder_list_do_not_grow_with_the_page(
    db: Database, small_and_large: tuple[ScaleSummary, ScaleSummary]
) -> None:
    counts = []
    sizes = []
    for summary in small_and_large:
        caf = actor(db, summary.funder_users["caf"])
        holder = actor(db, summary.draft_holders[0])
        call = summary.open_calls["reaap"]

        def inbox(caf: Actor = caf, call: int = call) -> Any:
            return queries.list_applications(db, caf, call_id=call, limit=500)

        def own(holder: Actor = holder) -> Any:
            return queries.list_applications(db, holder, limit=500)

        sizes.append((len(inbox().items), len(own().items)))
        counts.append((statements(db, inbox), statements(db, own)))
    (small_inbox, small_own), (large_inbox, large_own) = sizes
    assert small_inbox >= 5 and large_inbox >= 50 and small_own == 5 and large_own == 50
    assert counts[0] == counts[1], counts


def test_the_session_screen_does_not_grow_with_its_agenda(
    db: Database, small_and_large: tuple[ScaleSummary, ScaleSummary]
) -> None:
    counts = []
    for summary, files in zip(small_and_large, (5, 50), strict=True):
        chair = actor(db, summary.chair)
        meeting = summary.ready_sessions[0]
        view = sessions.session_view(db, chair, meeting)
        assert len(view.agenda) == files
        assert all(len(item.shares) == 4 for item in view.agenda)
        counts.append(statements(db, lambda c=chair, m=meeting: sessions.session_view(db, c, m)))
    assert counts[0] == counts[1], counts


def test_an_application_page_is_a_fixed_number_of_statements(
    db: Database, small_and_large: tuple[ScaleSummary, ScaleSummary]
) -> None:
    counts = []
    for summary in small_and_large:
        caf = actor(db, summary.funder_users["caf"])
        holder = actor(db, summary.draft_holders[0])
        for who, application in ((holder, summary.drafts[0]), (holder, summary.drafts[-1])):
            counts.append(
                statements(db, lambda w=who, a=application: queries.application_view(db, w, a))
            )
        listed = queries.list_applications(db, caf, call_id=summary.open_calls["reaap"])
        first = listed.items[0].application.id or 0
        counts.append(statements(db, lambda a=first, c=caf: queries.application_view(db, c, a)))
    assert len(set(counts)) == 1, counts
