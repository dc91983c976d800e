"""Browser tests: the app served by a real uvicorn on 127.0.0.1, driven by Debian's Chromium.

Each test gets its own SQLite database (the `settings` fixture), a server on a free port pointed
at it, and a fresh browser context (cookies). Every page a test visits can be screenshotted into
build/screenshots/ and checked with axe-core: no serious or critical violation.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from engine.db import Database
from engine.settings import Settings, get_settings
from tests.conftest import PASSWORD, Seeded, minimal_pdf
from tests.wording import problems

CHROMIUM = Path(os.environ.get("COFINANCE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PDF = minimal_pdf()


@pytest.fixture
def backend() -> str:
    """Browser tests run on SQLite only (the API and engine tests cover PostgreSQL)."""
    return "sqlite"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run `make browsers` (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class LiveServer:
    """uvicorn serving the app in a thread, on a socket bound to a free port of 127.0.0.1."""

    def __init__(self, settings: Settings, db: Database) -> None:
        from api.deps import database
        from api.main import create_app

        app = create_app()
        app.dependency_overrides[get_settings] = lambda: settings
        app.dependency_overrides[database] = lambda: db
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture
def live_server(settings: Settings, db: Database, seeded: Seeded) -> Iterator[LiveServer]:
    with LiveServer(settings, db) as server:
        yield server


@dataclass
class Visitor:
    """One person in one browser context: signs in, visits, screenshots and checks each page."""

    browser: Any
    base_url: str
    name: str
    context: Any = None
    page: Any = None
    checked: list[str] = field(default_factory=list)
    # (address, visible text) of every page loaded, read back at teardown (tests/wording.py).
    seen: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # bypass_csp: the pages forbid inline scripts, and axe-core is injected as one.
        self.context = self.browser.new_context(
            base_url=self.base_url,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
            bypass_csp=True,
            accept_downloads=True,
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.page.on("load", self.record)

    def record(self, page: Any) -> None:
        """Keep the visible text of a page that finished loading (not its HTML attributes)."""
        # Already navigating away: the next load is recorded instead.
        with contextlib.suppress(Exception):
            self.seen.append((page.url, page.inner_text("body")))

    def wording_problems(self) -> list[str]:
        """Internal codes and English words read on the pages visited (tests/wording.py)."""
        if not self.page.is_closed():
            self.record(self.page)  # the page as it is now, after any script updated it
        return [
            f"{self.name} on {url}: {problem}"
            for url, text in dict.fromkeys(self.seen)
            for problem in problems(text)
        ]

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto("/connexion")
        self.page.locator("#f-username").fill(username)
        self.page.locator("#f-password").fill(password)
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.wait_for_load_state()
        assert "/connexion" not in self.page.url, self.page.content()[:2000]

    def logout(self) -> None:
        self.page.get_by_role("button", name="Se déconnecter").click()
        self.page.wait_for_url("**/connexion**")

    def goto(self, path: str) -> Any:
        return self.page.goto(path)

    def check(self, shot: str) -> None:
        """Screenshot the page and fail on any serious or critical accessibility violation."""
        page = self.page
        page.wait_for_load_state("load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})); }"
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{shot}: {json.dumps(bad, ensure_ascii=False, indent=1)}"
        self.checked.append(shot)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitors(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    opened: list[Visitor] = []

    def open_as(username: str | None = None) -> Visitor:
        visitor = Visitor(browser, live_server.url, username or "anonyme")
        opened.append(visitor)
        if username:
            visitor.login(username)
        return visitor

    yield open_as
    found = [problem for visitor in opened for problem in visitor.wording_problems()]
    for visitor in opened:
        visitor.close()
    assert not found, "Internal codes or English words shown to users:\n" + "\n".join(found)


def attend_all(chair: Visitor) -> None:
    """On the session screen, the chair records every member present: the quorum to open."""
    from playwright.sync_api import expect

    form = chair.page.locator("form.cf-attendance")
    for select in form.locator("select[name^='status-']").all():
        select.select_option("present")
    form.get_by_role("button", name="Enregistrer les présences").click()
    expect(chair.page.get_by_text("Les présences sont enregistrées.")).to_be_visible()


def open_call(seeded: Seeded, scheme: str, title: str, envelopes: dict[str, str]) -> dict[str, Any]:
    """A call of `scheme`, opened yesterday for thirty days, with these funders' envelopes."""
    now = datetime.now(UTC)
    response = seeded.client.post(
        "/api/v1/calls",
        json={
            "scheme": scheme,
            "title": title,
            "opens_at": (now - timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
            "funders": [{"funder": f, "envelope": e} for f, e in envelopes.items()],
        },
        headers=seeded.headers["admin"],
    )
    assert response.status_code == 201, response.text
    call = response.json()
    opened = seeded.client.post(f"/api/v1/calls/{call['id']}/open", headers=seeded.headers["admin"])
    assert opened.status_code == 200, opened.text
    return dict(opened.json())


@pytest.fixture
def reaap_call(seeded: Seeded) -> dict[str, Any]:
    """An open Reaap call in which the Caf, the State, the Département and the MSA take part."""
    envelopes = {"caf": "20000.00", "etat": "5000.00", "departement": "8000.00", "msa": "3000.00"}
    return open_call(seeded, "reaap", "Appel à projets Reaap 2026", envelopes)


def reaap_body(period_year: int | None = None) -> dict[str, Any]:
    """A Reaap application that passes every rule (the shape of the API's application body)."""
    year = period_year or datetime.now(UTC).year
    return {
        "holder": {
            "kind": "association",
            "name": "Café des parents de l'Abbaye",
            "siret": "78778932087925",
            "rna": "W381000123",
            "cer_signed": True,
        },
        "renewal": False,
        "previous_report_filed": False,
        "territory": ["38185"],
        "period": {"start": f"{year}-02-01", "end": f"{year}-12-15"},
        "budget": {"total_cost": "6000.00", "investment_costs": "0", "other_resources": "1000.00"},
        "requests": {"caf": "3000.00", "departement": "1000.00", "msa": "1000.00"},
        "facts": {
            "children_max_age": 18,
            "open_to_all": True,
            "modality": "parent_exchange",
            "therapeutic": False,
            "parents_involved": True,
            "fee_per_session": "0",
            "commercial": False,
            "reaap_charter_signed": True,
            "laicite_charter_accepted": True,
            "staff_cost_share": "0.5",
        },
    }


def file_application(seeded: Seeded, call_id: int, username: str = "asso") -> dict[str, Any]:
    """A draft filed through the API (for the tests that start further down the road)."""
    response = seeded.client.post(
        "/api/v1/applications",
        json={"call_id": call_id, "title": "Café des parents", "application": reaap_body()},
        headers=seeded.headers[username],
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def submit_application(seeded: Seeded, application_id: int, username: str = "asso") -> None:
    """File a draft (it lacks documents, so it becomes `incomplete`: filed, seen by funders)."""
    response = seeded.client.post(
        f"/api/v1/applications/{application_id}/submit", headers=seeded.headers[username]
    )
    assert response.status_code == 200, response.text
