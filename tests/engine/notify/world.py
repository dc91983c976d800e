"""A small département driven through the services (fast, no HTTP): funders, users, a Reaap call,
applications, a session; plus a real SMTP server (aiosmtpd) that records what it accepts.

Shared by tests/engine/notify and tests/engine/scheduler.
"""

from __future__ import annotations

import copy
import email
import email.policy
import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import col, select

from engine import clock
from engine.access import SYSTEM, Actor
from engine.db import Database
from engine.models import Event, Meeting, OutboxMessage
from engine.reads import ApplicationRead
from engine.services import applications, attendance, calls, sessions
from engine.services.accounts import create_user
from engine.services.documents import add_document
from engine.services.funders import create_funder
from engine.services.production import run_production
from engine.settings import Settings
from tests.api.conftest import DOCUMENT_KINDS
from tests.conftest import REAAP_FACTS

PASSWORD = "correct horse battery staple"
FUNDERS = [
    ("caf", "Caf de l'Isère", "caf"),
    ("departement", "Département de l'Isère", "departement"),
    ("msa", "MSA Alpes du Nord", "msa"),
]
USERS = [
    ("admin", "admin", None, None),
    ("chair", "chair", None, None),
    ("caf1", "funder", "caf", None),
    ("dep1", "funder", "departement", None),
    ("msa1", "funder", "msa", None),
    ("asso", "applicant", None, "Café des parents de l'Abbaye"),
]
FACTS: dict[str, Any] = dict(REAAP_FACTS)
REAAP: dict[str, Any] = {
    "holder": {
        "kind": "association",
        "siret": "78778932087925",
        "rna": "W381000123",
        "cer_signed": True,
    },
    "renewal": False,
    "previous_report_filed": False,
    "territory": ["38185"],
    "period": {"start": "2027-02-01", "end": "2027-12-15"},
    "budget": {"total_cost": "6000.00", "investment_costs": "0", "other_resources": "1800.00"},
    "requests": {"caf": "3000.00", "departement": "1000.00", "msa": "200.00"},
    "facts": FACTS,
}


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Pièce justificative")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@dataclass
class World:
    db: Database
    settings: Settings
    actors: dict[str, Actor] = field(default_factory=dict)

    def actor(self, username: str) -> Actor:
        return self.actors[username]

    # -- calls and applications ---------------------------------------------------------------

    def call(self, closes_at: datetime, *, opens_at: datetime | None = None) -> int:
        opens_at = opens_at or closes_at - timedelta(days=90)
        envelopes = [
            calls.EnvelopeIn(code, Decimal("50000.00")) for code in ("caf", "departement", "msa")
        ]
        chair = self.actor("chair")
        call = calls.create_call(
            self.db, chair, "reaap", "Appel à projets Reaap", opens_at, closes_at, envelopes
        )
        calls.open_call(self.db, chair, call.id or 0)
        return call.id or 0

    def draft(self, call_id: int, title: str = "Café des parents", **changes: Any) -> int:
        body = copy.deepcopy(REAAP)
        body.update(changes)
        application = applications.create_application(
            self.db, self.actor("asso"), call_id, title, body
        )
        return application.id or 0

    def submit(self, application_id: int) -> ApplicationRead:
        holder = self.actor("asso")
        for kind in DOCUMENT_KINDS:
            add_document(
                self.db,
                holder,
                application_id,
                kind,
                f"{kind}.pdf",
                io.BytesIO(pdf_bytes()),
                self.settings,
            )
        return applications.submit_application(self.db, holder, application_id, self.settings)

    def eligible(self, call_id: int, title: str = "Café des parents") -> int:
        application_id = self.draft(call_id, title)
        assert self.submit(application_id).application.state == "eligible"
        return application_id

    # -- sessions -----------------------------------------------------------------------------

    def session(self, call_id: int, starts_at: datetime, agenda: list[int]) -> int:
        chair = self.actor("chair")
        meeting = sessions.create_session(
            self.db, chair, call_id, "Séance de printemps", starts_at, "Hôtel du Département"
        )
        sessions.set_agenda(self.db, chair, meeting.id or 0, agenda)
        return meeting.id or 0

    def convene(self, session_id: int) -> None:
        """Convene, and produce the convocations (their emails queued, not delivered)."""
        sessions.convene_session(
            self.db, self.actor("chair"), session_id, self.settings, produce=False
        )
        run_production(self.db, self.settings)

    def decide_all(self, session_id: int, application_id: int) -> None:
        """Open the session, grant caf and departement, refuse msa, close it."""
        chair = self.actor("chair")
        with self.db.reading() as session:
            meeting = session.get(Meeting, session_id)
            assert meeting is not None
            starts_at = meeting.starts_at
        # Every member present (the quorum); a session opens from its day on.
        _, members, _ = attendance.session_attendance(self.db, chair, session_id)
        present = [attendance.AttendeeInput(m.username, "present") for m in members]
        attendance.record_attendance(self.db, chair, session_id, present)
        with clock.at(max(clock.now(), starts_at)):
            sessions.open_session(self.db, chair, session_id)
        for code, user, outcome, amount in (
            ("caf", "caf1", "granted", Decimal("3000.00")),
            ("departement", "dep1", "granted", Decimal("1000.00")),
            ("msa", "msa1", "refused", None),
        ):
            sessions.record_decision(
                self.db, self.actor(user), session_id, application_id, code, outcome, amount, None
            )
        sessions.close_session(self.db, chair, session_id, self.settings, produce=False)
        run_production(self.db, self.settings)  # letters written, emails queued, not delivered

    def decided(self) -> tuple[int, int]:
        """An application decided in a closed session (letters written, emails queued)."""
        moment = datetime.now(UTC)
        call_id = self.call(moment + timedelta(days=60), opens_at=moment - timedelta(days=30))
        application_id = self.eligible(call_id)
        session_id = self.session(call_id, moment + timedelta(days=7), [application_id])
        self.convene(session_id)
        self.decide_all(session_id, application_id)
        return application_id, session_id

    # -- what was stored ----------------------------------------------------------------------

    def outbox(self, kind: str | None = None) -> list[OutboxMessage]:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        with self.db.reading() as session:
            return list(session.exec(query))

    def events(self, entity: str, entity_id: int, action: str) -> list[Event]:
        with self.db.reading() as session:
            return list(
                session.exec(
                    select(Event).where(
                        Event.entity == entity, Event.entity_id == entity_id, Event.action == action
                    )
                )
            )


def build_world(db: Database, settings: Settings) -> World:
    world = World(db, settings)
    for code, name, kind in FUNDERS:
        create_funder(db, SYSTEM, code, name, kind, email=f"{code}@example.org")
    for username, role, funder, organisation in USERS:
        user = create_user(
            db,
            username,
            PASSWORD,
            role,
            name=username.title(),
            email=f"{username}@example.org",
            funder_code=funder,
            organisation=organisation,
        )
        world.actors[username] = Actor.of(user)
    return world


# -- a real SMTP server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Recorder:
    """aiosmtpd handler: keeps every message it accepts, with its envelope."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class SmtpServer:
    def __init__(self, port: int | None = None, **options: Any) -> None:
        self.port = port or free_port()
        self.recorder = Recorder()
        self.options = options
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, **self.options
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def world(db: Database, settings: Settings) -> World:
    return build_world(db, settings)


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, step: float = 0.05) -> Any:
    """Poll until `condition()` is truthy; return it, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {condition}")
        time.sleep(step)
