"""Helpers for the HTTP API tests: one `api` fixture that drives the JSON API as the seeded users.

The `seeded` fixture (tests/conftest.py) gives five funders and one user per role; `api` adds the
steps every scenario repeats (a Reaap call, a complete application, a session run by the chair)
and ways to look at what was stored (row counts, events, letters, PDF text, emails).
"""

from __future__ import annotations

import copy
import email
import email.policy
import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func
from sqlmodel import select

from engine import models
from engine.db import Database
from engine.settings import Settings
from tests.conftest import REAAP_FACTS as SHARED_REAAP_FACTS

API = "/api/v1"
DOCUMENT_KINDS = (
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
)
# The user acting for each funder of the seeded département.
MEMBER = {
    "caf": "caf1",
    "etat": "etat1",
    "departement": "dep1",
    "msa": "msa1",
    "grenoble": "ville1",
}
ENVELOPES = {"caf": "50000.00", "departement": "20000.00", "msa": "5000.00", "etat": "10000.00"}

# The first case of shared/examples/cases/reaap.yaml, in 2027 (every parameter applies), with
# the Département asked for more than its 20 % of the cost so that its rules cap the proposal.
REAAP_FACTS: dict[str, Any] = dict(SHARED_REAAP_FACTS)
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
    "budget": {"total_cost": "6000.00", "investment_costs": "0", "other_resources": "1000.00"},
    "requests": {"caf": "3000.00", "departement": "1500.00", "etat": "300.00", "msa": "200.00"},
    "facts": REAAP_FACTS,
}


@cache
def pdf_bytes() -> bytes:
    """A real one-page PDF."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Pièce justificative")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@cache
def pdf_of_size(size: int) -> bytes:
    """A real one-page PDF of exactly `size` bytes (at least about 500): a blank page and an
    uncompressed stream of padding."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    def build(padding: int) -> bytes:
        writer = PdfWriter()
        page = writer.add_blank_page(595, 842)
        stream = DecodedStreamObject()
        stream.set_data(b"0" * padding)
        page[NameObject("/CofinancePadding")] = writer._add_object(stream)
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    padding = 0
    for _ in range(10):
        data = build(padding)
        if len(data) == size:
            return data
        padding = max(padding + size - len(data), 0)
    raise ValueError(f"no PDF of exactly {size} bytes")


def image_bytes(image_format: str, size: tuple[int, int] = (64, 48)) -> bytes:
    """A real image (PNG or JPEG) made with Pillow: a gradient, so that it decodes to something."""
    from PIL import Image

    image = Image.new("RGB", size)
    image.putdata([(x * 4 % 256, y * 5 % 256, 128) for y in range(size[1]) for x in range(size[0])])
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")


def reaap_body(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the Reaap application body; keyword arguments replace top-level keys."""
    body = copy.deepcopy(REAAP)
    body.update(copy.deepcopy(changes))
    return body


def pdf_text(data: bytes) -> str:
    """The text of a PDF, French spaces made plain and whitespace runs collapsed."""
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


class Api:
    """The JSON API as each seeded user sees it, plus read access to what was stored."""

    KINDS = DOCUMENT_KINDS
    ENVELOPES = ENVELOPES
    PNG = PNG
    JPEG = JPEG
    body = staticmethod(reaap_body)
    pdf_text = staticmethod(pdf_text)

    @property
    def pdf(self) -> bytes:
        return pdf_bytes()

    def __init__(self, seeded: Any, db: Database, settings: Settings) -> None:
        self.client = seeded.client
        self.headers: dict[str, dict[str, str]] = seeded.headers
        self.db = db
        self.settings = settings
        # The state the last refused request left, reused as the next one's "before" until a
        # write succeeds: a stale "before" could only make a check fail, never pass wrongly.
        self._last_seen: tuple[tuple[int, ...], dict[str, Any]] | None = None

    # -- raw requests -------------------------------------------------------------------------

    def request(self, method: str, user: str | None, path: str, **kwargs: Any) -> httpx2.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if user is not None:
            headers.update(self.headers[user])
        response = self.client.request(method, API + path, headers=headers, **kwargs)
        if method != "GET" and response.status_code < 400:
            self._last_seen = None  # a write went through: what `refused` saw is out of date
        return response

    def get(self, user: str | None, path: str, **kwargs: Any) -> httpx2.Response:
        return self.request("GET", user, path, **kwargs)

    def post(self, user: str | None, path: str, **kwargs: Any) -> httpx2.Response:
        return self.request("POST", user, path, **kwargs)

    def put(self, user: str | None, path: str, **kwargs: Any) -> httpx2.Response:
        return self.request("PUT", user, path, **kwargs)

    def patch(self, user: str | None, path: str, **kwargs: Any) -> httpx2.Response:
        return self.request("PATCH", user, path, **kwargs)

    def ok(self, response: httpx2.Response, status: int = 200) -> Any:
        assert response.status_code == status, (response.status_code, response.text)
        return response.json()

    # -- calls ----------------------------------------------------------------------------------

    def call_body(self, envelopes: dict[str, str] | None = None, **changes: Any) -> dict[str, Any]:
        moment = datetime.now(UTC)
        body: dict[str, Any] = {
            "scheme": "reaap",
            "title": "Appel à projets Reaap 2027",
            "opens_at": (moment - timedelta(days=30)).isoformat(),
            "closes_at": (moment + timedelta(days=60)).isoformat(),
            "funders": [
                {"funder": code, "envelope": amount}
                for code, amount in (envelopes or ENVELOPES).items()
            ],
        }
        body.update(changes)
        return body

    def call(
        self,
        envelopes: dict[str, str] | None = None,
        *,
        open_it: bool = True,
        by: str = "chair",
        **changes: Any,
    ) -> dict[str, Any]:
        call = self.ok(self.post(by, "/calls", json=self.call_body(envelopes, **changes)), 201)
        assert call["state"] == "draft"
        if open_it:
            call = self.ok(self.post(by, f"/calls/{call['id']}/open"))
            assert call["state"] == "open"
        return call

    # -- applications ---------------------------------------------------------------------------

    def draft(
        self,
        call_id: int,
        body: dict[str, Any] | None = None,
        *,
        user: str = "asso",
        title: str = "Café des parents",
    ) -> dict[str, Any]:
        payload = {"call_id": call_id, "title": title, "application": body or reaap_body()}
        application = self.ok(self.post(user, "/applications", json=payload), 201)
        assert application["state"] == "draft"
        return application

    def upload(
        self,
        application_id: int,
        kind: str,
        content: bytes | None = None,
        *,
        filename: str = "piece.pdf",
        content_type: str = "application/pdf",
        user: str = "asso",
    ) -> httpx2.Response:
        return self.post(
            user,
            f"/applications/{application_id}/documents",
            data={"kind": kind},
            files={
                "file": (filename, content if content is not None else pdf_bytes(), content_type)
            },
        )

    def upload_all(
        self, application_id: int, kinds: Iterable[str] = DOCUMENT_KINDS, user: str = "asso"
    ) -> None:
        for kind in kinds:
            self.ok(self.upload(application_id, kind, filename=f"{kind}.pdf", user=user), 201)

    def submit(
        self, application_id: int, *, user: str = "asso", key: str | None = None
    ) -> httpx2.Response:
        headers = {"Idempotency-Key": key} if key else None
        return self.post(user, f"/applications/{application_id}/submit", headers=headers)

    def submitted(
        self,
        call_id: int,
        body: dict[str, Any] | None = None,
        *,
        user: str = "asso",
        kinds: Iterable[str] = DOCUMENT_KINDS,
        title: str = "Café des parents",
    ) -> dict[str, Any]:
        """A complete application, filed and submitted; returns the answer to the submit."""
        application = self.draft(call_id, body, user=user, title=title)
        self.upload_all(application["id"], kinds, user=user)
        return self.ok(self.submit(application["id"], user=user))

    def eligible(self, call_id: int, body: dict[str, Any] | None = None, **kw: Any) -> dict:
        application = self.submitted(call_id, body, **kw)
        assert application["state"] == "eligible", application["eligibility"]
        return application

    def ineligible(self, call_id: int, **kw: Any) -> dict[str, Any]:
        """Individual therapy sessions: R3 and R4 fail."""
        facts = {**REAAP_FACTS, "modality": "individual", "therapeutic": True}
        application = self.submitted(call_id, reaap_body(facts=facts), **kw)
        assert application["state"] == "ineligible"
        assert set(application["eligibility"]["failed"]) == {"R3", "R4"}
        return application

    def application(self, application_id: int, user: str = "admin") -> dict[str, Any]:
        return self.ok(self.get(user, f"/applications/{application_id}"))

    def events(self, application_id: int, user: str = "admin") -> list[dict[str, Any]]:
        return self.ok(self.get(user, f"/applications/{application_id}/events"))

    def share(self, application: dict[str, Any], funder: str) -> dict[str, Any]:
        return next(s for s in application["shares"] if s["funder"] == funder)

    # -- sessions -------------------------------------------------------------------------------

    def session(
        self, call_id: int, title: str = "Séance du comité", starts_at: datetime | None = None
    ) -> dict[str, Any]:
        """A planned session, today unless told (a session opens only from its day)."""
        body = {
            "call_id": call_id,
            "title": title,
            "starts_at": (starts_at or datetime.now(UTC)).isoformat(),
            "location": "Hôtel du Département, Grenoble",
        }
        meeting = self.ok(self.post("chair", "/sessions", json=body), 201)
        assert meeting["state"] == "planned"
        return meeting

    def agenda(self, session_id: int, application_ids: list[int]) -> dict[str, Any]:
        return self.ok(
            self.put(
                "chair", f"/sessions/{session_id}/agenda", json={"application_ids": application_ids}
            )
        )

    def move(self, session_id: int, action: str, user: str = "chair") -> dict[str, Any]:
        """Fire `action`; opening first records every member present (the quorum: a test of
        the quorum itself posts `/open` directly)."""
        if action == "open" and user == "chair":
            self.attend_all(session_id)
        return self.ok(self.post(user, f"/sessions/{session_id}/{action}"))

    def attend_all(self, session_id: int) -> dict[str, Any]:
        """The chair records every member of the session's funders present."""
        sheet = self.ok(self.get("chair", f"/sessions/{session_id}/attendance"))
        present = [{"user": a["user"], "status": "present"} for a in sheet["attendees"]]
        return self.ok(
            self.put("chair", f"/sessions/{session_id}/attendance", json={"attendees": present})
        )

    def open_session(self, call_id: int, application_ids: list[int]) -> dict[str, Any]:
        """Planned, agenda set, convened and opened: ready for decisions."""
        meeting = self.session(call_id)
        self.agenda(meeting["id"], application_ids)
        self.move(meeting["id"], "convene")
        return self.move(meeting["id"], "open")

    def decide(
        self,
        session_id: int,
        application_id: int,
        funder: str,
        outcome: str,
        amount: str | None = None,
        *,
        user: str | None = None,
        conditions: str | None = None,
        reason: str | None = None,
    ) -> httpx2.Response:
        body: dict[str, Any] = {
            "application_id": application_id,
            "funder": funder,
            "outcome": outcome,
            "amount": amount,
        }
        if conditions is not None:
            body["conditions"] = conditions
        if reason is not None:
            body["reason"] = reason
        return self.post(user or MEMBER[funder], f"/sessions/{session_id}/decisions", json=body)

    # -- what was stored ------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table: a refused request must leave every one of them unchanged."""
        tables = (
            models.Application,
            models.Share,
            models.Event,
            models.Document,
            models.Call,
            models.CallEnvelope,
            models.Meeting,
            models.AgendaItem,
            models.Letter,
            models.OutboxMessage,
            models.Funder,
            models.IdempotencyRecord,
            models.Attendance,
            models.InterestDeclaration,
        )
        with self.db.reading() as session:
            return {
                table.__tablename__: session.exec(select(func.count()).select_from(table)).one()
                for table in tables
            }

    def snapshot(self, application_ids: Iterable[int] = ()) -> dict[str, Any]:
        """Row counts and the applications (with their events) as the administrator sees them."""
        return {
            "counts": self.counts(),
            "files": sorted(
                str(p.relative_to(self.settings.data_dir))
                for p in self.settings.data_dir.rglob("*")
                if p.is_file()
            ),
            **{f"application {i}": (self.application(i), self.events(i)) for i in application_ids},
        }

    def refused(
        self,
        status: int,
        user: str | None,
        method: str,
        path: str,
        *,
        watch: Iterable[int] = (),
        **kwargs: Any,
    ) -> httpx2.Response:
        """Send a request that must be refused with `status` and leave everything as it was."""
        watch = tuple(watch)
        if self._last_seen is not None and self._last_seen[0] == watch:
            before = self._last_seen[1]
        else:
            before = self.snapshot(watch)
        response = self.request(method, user, path, **kwargs)
        assert response.status_code == status, (user, method, path, response.text)
        body = response.json()
        assert body["detail"] and body["code"], body
        after = self.snapshot(watch)
        assert after == before, (user, method, path)
        self._last_seen = (watch, after)
        return response

    def invalid(
        self, field: str, user: str | None, method: str, path: str, **kwargs: Any
    ) -> httpx2.Response:
        """A request refused with 422 naming `field`, that changed nothing."""
        response = self.refused(422, user, method, path, **kwargs)
        body = response.json()
        assert body["code"] == "invalid_input", body
        fields = [e["field"] for e in body["errors"]]
        assert field in fields, (method, path, field, body)
        assert all(e["message"] for e in body["errors"]), body
        return response

    def stored_files(self, folder: str) -> list[Path]:
        path = self.settings.data_dir / folder
        return sorted(path.iterdir()) if path.exists() else []

    def stored_letters(self) -> list[tuple[models.Letter, bytes]]:
        """Every letter (decisions, minutes, convocations) with its PDF, from the database."""
        with self.db.reading() as session:
            rows = session.exec(
                select(models.Letter, models.Blob.content)
                .join(models.Blob, models.Blob.id == models.Letter.blob_id)  # type: ignore[arg-type]
                .order_by(models.Letter.id)  # type: ignore[arg-type]
            ).all()
        return [(letter, bytes(content)) for letter, content in rows]

    def queued(self, kind: str) -> list[models.OutboxMessage]:
        """The emails of a kind in the outbox, delivered or not, in their order."""
        with self.db.reading() as session:
            return list(
                session.exec(
                    select(models.OutboxMessage)
                    .where(models.OutboxMessage.kind == kind)
                    .order_by(models.OutboxMessage.id)  # type: ignore[arg-type]
                )
            )

    def emails(self, kind: str | None = None) -> list[EmailMessage]:
        files = [p for p in self.stored_files("outbox") if p.suffix == ".eml"]
        if kind is not None:
            files = [p for p in files if p.stem.endswith(f"-{kind}")]
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files
        ]


@pytest.fixture
def api(seeded: Any, db: Database, settings: Settings) -> Api:
    return Api(seeded, db, settings)


@pytest.fixture
def reaap_call(api: Api) -> dict[str, Any]:
    """An open Reaap call asking caf, departement, msa and etat (not the commune)."""
    return api.call()


@pytest.fixture
def files(api: Any) -> dict[str, Any]:
    """An open call, a draft, an eligible file, and another one on the agenda of an open session
    (the files the input tests aim bad values at)."""
    call = api.call()
    draft = api.draft(call["id"], title="Brouillon")
    eligible = api.eligible(call["id"], title="Recevable")
    scheduled = api.eligible(call["id"], title="Inscrit")
    meeting = api.open_session(call["id"], [scheduled["id"]])
    return {
        "call": call,
        "draft": draft,
        "eligible": eligible,
        "scheduled": scheduled,
        "session": meeting,
        "watch": [draft["id"], eligible["id"], scheduled["id"]],
    }
