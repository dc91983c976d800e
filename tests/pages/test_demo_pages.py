"""Every page of the demo, as each of its people: French only, no dead end.

The demo département (`cofinance demo`) is what a new user meets first. Each demo account signs
in, follows every link of its menu and then every file, session and letter page linked from
them; every page must answer (no error page, no 404) and its visible text must hold no internal
code or English word (tests/wording.py, checked by the `Visitor` at teardown).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from engine.db import Database
from engine.demo import load
from engine.settings import Settings
from tests.pages.conftest import LiveServer, Visitor

# One account per role of the demo (engine/demo/people.py), with its demo password.
ACCOUNTS = (
    ("chair", "demo-chair-2026"),
    ("caf", "demo-funder-2026"),
    ("grenoble", "demo-funder-2026"),
    ("parents-en-chemin", "demo-applicant-2026"),
    ("admin", "demo-admin-2026"),
)
# Pages a visit must not follow: they change state, sign out, or are files, not pages.
SKIP = (
    "/deconnexion",
    "/lettres/",
    "/documents/",
    "/pieces/",
    ".csv",
    ".xlsx",
    "/proces-verbal",
    "/pack",
    "/dossier-de-seance",
    "/conventions/",  # the convention's PDF, drawn up or signed
    "/feuille-de-presence",  # the attendance sheet's PDF
)
PER_ACCOUNT = 60  # enough to reach every kind of page of the demo, few enough to stay quick


@pytest.fixture
def demo_server(settings: Settings) -> Iterator[LiveServer]:
    load(settings)
    db = Database(settings.effective_database_url)
    with LiveServer(settings, db) as server:
        yield server
    db.dispose()


def _links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    return [h.split("#")[0] for h in hrefs if h and not any(s in h for s in SKIP)]


@pytest.mark.parametrize(("username", "password"), ACCOUNTS)
def test_every_demo_page_a_person_can_reach_answers_in_french(
    browser: Any, demo_server: LiveServer, username: str, password: str
) -> None:
    visitor = Visitor(browser, demo_server.url, username)
    try:
        visitor.login(username, password)
        queue = [urlparse(visitor.page.url).path, *_links(visitor.page)]
        seen: set[str] = set()
        failed: list[str] = []
        while queue and len(seen) < PER_ACCOUNT:
            path = queue.pop(0)
            if path in seen or path.startswith("/static"):
                continue
            seen.add(path)
            response = visitor.goto(path)
            if response is None or response.status >= 400:
                failed.append(f"{path}: {response.status if response else 'no answer'}")
                continue
            queue.extend(link for link in _links(visitor.page) if link not in seen)
        assert not failed, failed
        assert len(seen) >= 4, seen  # the menu was followed, not only the home page
        found = visitor.wording_problems()
        assert not found, "\n".join(found)
    finally:
        visitor.close()
