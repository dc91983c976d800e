"""`cofinance demo --scale N`: bulk-loaded rows the services can work with, counted exactly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from engine.access import Actor
from engine.cli import main
from engine.db import Database
from engine.demo.scale import SCALE_PASSWORD, ScalePlan, generate
from engine.models import (
    AgendaItem,
    Application,
    Event,
    Letter,
    Meeting,
    Share,
    User,
)
from engine.services import letters, queries
from engine.services.accounts import authenticate, create_user
from engine.services.applications import submit_application
from engine.services.production import run_production
from engine.services.sessions import close_session
from engine.settings import Settings, get_settings


def counts(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }


def actor(db: Database, username: str) -> Actor:
    with db.reading() as session:
        return Actor.of(session.exec(select(User).where(User.username == username)).one())


def test_rows_are_counted_coherent_and_usable_by_the_services(
    db: Database, settings: Settings
) -> None:
    plan = ScalePlan(200, drafts=4, draft_holders=2, ready_sessions=1, ready_size=6)
    summary = generate(db, plan, settings)

    files = 200 + 4 + 6
    rows = counts(db)
    assert rows["applications"] == summary.rows["applications"] == files
    assert rows["shares"] == 4 * files
    assert rows["events"] == summary.rows["events"] >= 20 * files
    assert rows["letters"] == 0
    with db.reading() as session:
        states = Counter(session.exec(select(Application.state)))
        assert {"notified", "draft", "eligible", "scheduled"} <= set(states)
        # Shares follow their file: decided files have only decided shares, drafts none.
        pairs = set(
            session.exec(
                select(Application.state, Share.state).join(
                    Share,
                    Share.application_id == Application.id,  # type: ignore[arg-type]
                )
            )
        )
        assert {s for a, s in pairs if a == "notified"} <= {"granted", "refused"}
        assert {s for a, s in pairs if a == "draft"} == {"requested"}
        on_agenda = session.exec(select(func.count()).select_from(AgendaItem)).one()
        scheduled_or_decided = sum(states[s] for s in ("scheduled", "notified"))
        assert on_agenda == scheduled_or_decided
        per_file = Counter(
            session.exec(select(Event.application_id).where(Event.application_id.is_not(None)))  # type: ignore[union-attr]
        )
        assert min(per_file.values()) >= 20
        closed = session.exec(
            select(func.count()).select_from(Meeting).where(Meeting.state == "closed")
        ).one()
        assert closed == len(summary.closed_sessions) > 0

    # New rows after the bulk load get fresh ids (PostgreSQL sequences moved on).
    user = create_user(db, "after-the-load", "a long enough password", "chair")
    assert user.id is not None and user.id > rows["users"]
    assert authenticate(db, summary.chair, SCALE_PASSWORD) is not None

    # A generated draft is submitted like any other, and the ready session closes.
    holder = actor(db, summary.draft_holders[0])
    answer = submit_application(db, holder, summary.drafts[0], settings)
    assert answer.application.state == "eligible"
    assert [line.share.state for line in answer.shares].count("requested") <= 2
    chair = actor(db, summary.chair)
    meeting = close_session(db, chair, summary.ready_sessions[0], settings, produce=False)
    assert meeting.state == "closed"
    assert run_production(db, settings) == 6 + 1  # the letters of each file, the minutes
    with db.reading() as session:
        made = session.exec(
            select(func.count()).select_from(Letter).where(Letter.session_id == meeting.id)
        ).one()
        decided = session.exec(
            select(func.count())
            .select_from(AgendaItem)
            .join(Application, Application.id == AgendaItem.application_id)  # type: ignore[arg-type]
            .where(AgendaItem.session_id == meeting.id, Application.state == "decided")
        ).one()
    assert decided == 6
    assert made == 6 * 5 + 1  # a letter to the holder and one per funder, and the minutes
    caf = actor(db, summary.funder_users["caf"])
    assert queries.list_applications(db, caf).total > 0


def test_documents_render_the_same_bytes_in_worker_processes(
    db: Database, settings: Settings
) -> None:
    from engine.demo.scale import ScalePlan as Plan

    summary = generate(db, Plan(0, ready_sessions=1, ready_size=2), settings)
    chair = actor(db, summary.chair)
    with db.reading() as session:
        agenda = session.exec(
            select(Application)
            .join(AgendaItem, AgendaItem.application_id == Application.id)  # type: ignore[arg-type]
            .where(AgendaItem.session_id == summary.ready_sessions[0])
        ).all()
        meeting = session.get(Meeting, summary.ready_sessions[0])
        assert meeting is not None
        documents = [
            d
            for application in agenda
            for d in letters.decision_documents(
                session, settings, application, meeting, chair
            ).documents()
        ]
    inline = list(letters.render_documents(documents, workers=1))
    parallel = list(letters.render_documents(documents, workers=2, parallel_from=1))
    assert len(inline) == 10 and inline == parallel

    # One renderer for a run of several batches: the same PDFs batch after batch, and still
    # when its worker processes were stopped in between (the app stopping): rendered here.
    with letters.Renderer(workers=2, parallel_from=1) as renderer:
        assert list(renderer.render(documents[:5])) == inline[:5]
        assert list(renderer.render(documents[5:])) == inline[5:]
        letters.stop_render_workers()
        assert list(renderer.render(documents)) == inline


def test_the_command_line_loads_a_scale_data_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'scale.sqlite3'}"
    monkeypatch.setenv("COFINANCE_DATABASE_URL", url)
    monkeypatch.setenv("COFINANCE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert main(["demo", "--scale", "40"]) == 0
    finally:
        get_settings.cache_clear()
    printed = capsys.readouterr().out
    assert "40 applications, 160 shares" in printed
    database = Database(url)
    try:
        assert counts(database)["applications"] == 40
    finally:
        database.dispose()
