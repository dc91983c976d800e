"""Emails count in French: `1 dossier est inscrit`, `3 dossiers sont inscrits`, never `(s)`."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from engine.notify.render import render_email
from tests.wording import problems

MEETING = SimpleNamespace(
    id=1,
    title="Comité Reaap",
    starts_at=datetime(2026, 12, 3, 13, 0, tzinfo=UTC),
    location="Grenoble",
)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 dossier est inscrit"), (3, "3 dossiers sont inscrits")],
)
def test_a_convocation_reminder_counts_the_files_in_french(count, expected):
    subject, text, html = render_email(
        "convocation_reminder", {"meeting": MEETING, "count": count, "attached": True}
    )
    for body in (text, html):
        assert expected in body
        assert "(s)" not in body
    assert not problems(subject + "\n" + text)
