"""The audit trail: events cannot be changed by any path, and refused attempts are logged with
the user who tried (API and pages)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from engine.models import Event

ROOT = Path(__file__).resolve().parents[2]


def test_no_code_updates_or_deletes_an_event() -> None:
    """Nothing in the engine or the API writes to events but `INSERT` (audit.record)."""
    offending = []
    patterns = (
        re.compile(r"\b(update|delete)\(\s*Event\b"),
        re.compile(r"(UPDATE|DELETE\s+FROM)\s+events\b", re.I),
    )
    for folder in ("engine", "api"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            offending += [f"{path}: {p.pattern}" for p in patterns if p.search(text)]
    assert offending == []


def test_an_event_changed_through_the_orm_is_refused_by_the_database(
    draft_application: int, db: Any
) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
        event = session.exec(select(Event)).first()
        assert event is not None
        event.reason = "rewritten"
        session.add(event)
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
        event = session.exec(select(Event)).first()
        session.delete(event)
    with db.reading() as session:
        assert all(e.reason != "rewritten" for e in session.exec(select(Event)))


def test_refused_attempts_are_logged_with_the_user(
    draft_application: int, seeded: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = seeded.client
    with caplog.at_level(logging.WARNING, logger="cofinance.access"):
        api = client.get(
            f"/api/v1/applications/{draft_application}", headers=seeded.headers["other"]
        )
        token = seeded.headers["caf1"]["Authorization"].removeprefix("Bearer ")
        client.cookies.clear()
        page = client.get("/admin/financeurs", headers={"Cookie": f"cofinance_session={token}"})
    assert api.status_code == 403 and page.status_code == 403
    refusals = [r.getMessage() for r in caplog.records if r.name == "cofinance.access"]
    assert len(refusals) == 2, refusals
    assert re.search(
        rf"refused: user=\d+ role=applicant GET /api/v1/applications/{draft_application}: ",
        refusals[0],
    )
    assert re.search(r"refused: user=\d+ role=funder GET /admin/financeurs: ", refusals[1])
