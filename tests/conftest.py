"""Shared fixtures: a migrated database per test on SQLite and, when configured, PostgreSQL;
the app wired to it; and a seeded département (funders, users, tokens)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from engine.access import SYSTEM
from engine.db import Database
from engine.migrations import upgrade
from engine.settings import Settings, get_settings

PG_URL = os.environ.get("COFINANCE_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgres"] if PG_URL else ["sqlite"]
PASSWORD = "correct horse battery staple"


def minimal_pdf() -> bytes:
    """A real one-page PDF: uploads are parsed, a file that only starts with `%PDF-` is refused."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True)
    canvas.drawString(72, 720, "Pièce justificative")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for every test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    assert PG_URL is not None
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(PG_URL)
    return PG_URL


def _truncate(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        # Events are append-only (a trigger refuses TRUNCATE); tests reset them as superuser.
        conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "cofinance.sqlite3"
        shutil.copy(template, target)
        url = f"sqlite:///{target}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        _truncate(url)
    return Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    from engine.services import production

    database = Database(settings.effective_database_url)
    yield database
    production.wait_idle(60)  # a background production of the test still using it
    database.dispose()


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    from api.deps import database
    from api.main import create_app

    app = create_app()
    app.dependency_overrides[get_settings] = lambda: settings
    app.dependency_overrides[database] = lambda: db
    with TestClient(app) as test_client:
        yield test_client


FUNDERS = [
    ("caf", "Caf de l'Isère", "caf", None),
    ("etat", "Préfecture de l'Isère", "etat", None),
    ("departement", "Département de l'Isère", "departement", None),
    ("msa", "MSA Alpes du Nord", "msa", None),
    ("grenoble", "Ville de Grenoble", "commune", "38185"),
]
USERS = [
    ("admin", "admin", None, None),
    ("chair", "chair", None, None),
    ("caf1", "funder", "caf", None),
    ("caf2", "funder", "caf", None),
    ("etat1", "funder", "etat", None),
    ("dep1", "funder", "departement", None),
    ("msa1", "funder", "msa", None),
    ("ville1", "funder", "grenoble", None),
    ("asso", "applicant", None, "Café des parents de l'Abbaye"),
    ("other", "applicant", None, "Maison des familles de Voiron"),
]


@dataclass
class Seeded:
    """A département ready for use: funders, one user per role, their bearer headers."""

    client: TestClient
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def token(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def seeded(client: TestClient, db: Database) -> Seeded:
    from engine.services.accounts import create_user
    from engine.services.funders import create_funder

    for code, name, kind, insee in FUNDERS:
        create_funder(db, SYSTEM, code, name, kind, insee=insee, email=f"{code}@example.org")
    for username, role, funder, organisation in USERS:
        create_user(
            db,
            username,
            PASSWORD,
            role,
            name=username.title(),
            email=f"{username}@example.org",
            funder_code=funder,
            organisation=organisation,
        )
    state = Seeded(client)
    state.headers = {username: state.token(username) for username, *_ in USERS}
    return state


@pytest.fixture(autouse=True)
def _production_in_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Letters, minutes and convocations are produced right after the close (or convening)
    commits: in a background thread in production, in the caller's thread here, so that a test
    sees them when the call returns (tests/api/test_production.py runs the background thread)."""
    from engine.services import production

    monkeypatch.setattr(production, "IN_BACKGROUND", False)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id at production cost takes ~50 ms a hash: keep the algorithm, lower the cost."""
    from argon2 import PasswordHasher

    from engine.services import accounts

    original = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    accounts._hasher = original


# The Reaap facts of the first case of shared/examples/cases/reaap.yaml: an eligible action.
REAAP_FACTS: dict[str, object] = {
    "children_max_age": 18,
    "open_to_all": True,
    "modality": "parent_exchange",
    "therapeutic": False,
    "parents_involved": True,
    "fee_per_session": "0",
    "commercial": False,
    "reaap_charter_signed": True,
    "laicite_charter_accepted": True,
    "staff_cost_share": 0.5,
}

REAAP_APPLICATION = {
    "holder": {
        "kind": "association",
        "siret": "78778932087925",
        "rna": "W381000123",
        "cer_signed": True,
    },
    "renewal": False,
    "territory": ["38185"],
    "period": {"start": "2027-02-01", "end": "2027-12-15"},
    "budget": {"total_cost": "6000.00", "investment_costs": "0", "other_resources": "1500.00"},
    "requests": {"caf": "3000.00", "departement": "1000.00", "msa": "500.00"},
    "facts": REAAP_FACTS,
}


@pytest.fixture
def draft_application(seeded: Seeded, db: Database, settings: Settings) -> int:
    """An open Reaap call and a draft application of `asso` with one PDF attached."""
    import io
    from datetime import timedelta
    from decimal import Decimal

    from sqlmodel import select

    from engine.access import Actor
    from engine.clock import now
    from engine.models import User
    from engine.services.applications import create_application
    from engine.services.calls import EnvelopeIn, create_call, open_call
    from engine.services.documents import add_document

    with db.reading() as session:
        users = {u.username: Actor.of(u) for u in session.exec(select(User))}
    call = create_call(
        db,
        users["chair"],
        "reaap",
        "Reaap 2027",
        now() - timedelta(days=1),
        now() + timedelta(days=30),
        [
            EnvelopeIn(code, Decimal(envelope))
            for code, envelope in [
                ("caf", "100000"),
                ("departement", "20000"),
                ("msa", "5000"),
                ("etat", "1000"),
            ]
        ],
    )
    open_call(db, users["chair"], call.id or 0)
    application = create_application(
        db, users["asso"], call.id or 0, "Café des parents", REAAP_APPLICATION
    )
    add_document(
        db,
        users["asso"],
        application.id or 0,
        "rib",
        "rib.pdf",
        io.BytesIO(minimal_pdf()),
        settings,
    )
    return application.id or 0
