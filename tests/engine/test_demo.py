"""`cofinance demo`: a complete demo département, built through the services, loadable twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from engine.access import SYSTEM
from engine.blobs import blob_content
from engine.db import Database, get_database
from engine.demo import DemoError, load
from engine.demo.people import USERS
from engine.models import (
    Application,
    Call,
    Document,
    Event,
    Letter,
    Meeting,
    OutboxMessage,
    Share,
)
from engine.services.accounts import authenticate
from engine.services.funders import create_funder
from engine.settings import Settings

EVERY_STATE = {
    "draft",
    "incomplete",
    "eligible",
    "ineligible",
    "scheduled",
    "notified",
    "withdrawn",
}


def row_counts(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_demo_has_every_state_a_closed_session_with_letters_and_loads_twice(
    settings: Settings,
) -> None:
    lines = load(settings)
    db = get_database(settings)

    assert lines[0] == f"Demo loaded: {settings.base_url}"
    printed = "\n".join(lines)
    for user in USERS:
        assert user.username in printed and user.password in printed
        assert authenticate(db, user.username, user.password) is not None

    with db.reading() as session:
        applications = list(session.exec(select(Application)))
        states = Counter(a.state for a in applications)
        assert set(states) == EVERY_STATE, states
        assert {c.state for c in session.exec(select(Call))} == {"open", "closed"}
        open_calls = session.exec(select(Call).where(Call.state == "open")).all()
        assert {c.scheme for c in open_calls} == {"reaap", "clas"}

        # Every application has its audit trail; submitted ones carry their rule result.
        with_events = set(session.exec(select(Event.application_id)))
        assert {a.id for a in applications} <= with_events
        assert all(a.result for a in applications if a.state != "draft")
        incomplete = next(a for a in applications if a.state == "incomplete")
        assert incomplete.result is not None and incomplete.result["failed"] == ["G3"]
        assert session.exec(select(func.count()).select_from(Document)).one() > 0

        # The past session: closed, every share decided, letters and minutes stored.
        closed = session.exec(select(Meeting).where(Meeting.state == "closed")).one()
        letters = list(session.exec(select(Letter).where(Letter.session_id == closed.id)))
        kinds = Counter(letter.kind for letter in letters)
        assert kinds["minutes"] == 1 and kinds["decision"] == states["notified"]
        for letter in letters:
            content = blob_content(session, letter.blob_id)
            assert content is not None and content.startswith(b"%PDF-")
        decided = session.exec(select(Share).where(Share.session_id == closed.id)).all()
        assert decided and {s.state for s in decided} <= {"granted", "refused"}
        assert "granted" in {s.state for s in decided}
        planned = session.exec(select(Meeting).where(Meeting.state == "planned")).one()
        assert planned.starts_at > open_calls[0].closes_at

        # The outbox went out as .eml files: the decided files are notified.
        outbox = list(session.exec(select(OutboxMessage)))
        assert outbox and {m.state for m in outbox} == {"sent"}
    assert len(files(settings.data_dir / "outbox")) == len(outbox)

    counts = row_counts(db)
    on_disk = {name: files(settings.data_dir / name) for name in ("outbox",)}
    again = load(settings)
    assert again[0] == f"Demo already loaded: {settings.base_url}"
    assert again[1:] == lines[1:]
    assert row_counts(db) == counts
    assert {name: files(settings.data_dir / name) for name in on_disk} == on_disk


def test_demo_refuses_a_database_holding_other_data(settings: Settings) -> None:
    db = get_database(settings)
    create_funder(db, SYSTEM, "caf", "Caf de la Drôme", "caf")
    before = row_counts(db)
    with pytest.raises(DemoError, match="empty database"):
        load(settings)
    assert row_counts(db) == before
