"""What the crash tests share: a `cofinance serve` process on 127.0.0.1, a département to load
it with, a workload that runs committee sessions through the API, and the invariants every
restart must find intact."""

from __future__ import annotations

import io
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel import select

from engine.access import SYSTEM, Actor
from engine.clock import now
from engine.db import Database
from engine.models import (
    AgendaItem,
    Agreement,
    Application,
    Blob,
    Call,
    Document,
    Event,
    Letter,
    Meeting,
    OrganisationDocument,
    OutboxMessage,
    ProductionJob,
    ReportDocument,
    Share,
)
from engine.settings import Settings
from workflows import ALL

COFINANCE = Path(sys.executable).with_name("cofinance")
PASSWORD = "correct horse battery staple"
FUNDERS = [
    ("caf", "Caf de l'Isère", "caf", None),
    ("etat", "Préfecture de l'Isère", "etat", None),
    ("departement", "Département de l'Isère", "departement", None),
    ("msa", "MSA Alpes du Nord", "msa", None),
]
MEMBERS = {"caf": "caf1", "etat": "etat1", "departement": "dep1", "msa": "msa1"}
MODELS = {"application": Application, "share": Share, "session": Meeting, "call": Call}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """One `cofinance serve` process (in its own process group, so that a SIGKILL takes the
    PDF workers it may have started with it)."""

    settings: Settings
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    env: dict[str, str] = field(default_factory=dict)  # more COFINANCE_* settings

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {
            **os.environ,
            "COFINANCE_DATABASE_URL": self.settings.effective_database_url,
            "COFINANCE_DATA_DIR": str(self.settings.data_dir),
            "COFINANCE_SECRET_KEY": self.settings.secret_key,
            "COFINANCE_SCHEDULER": "false",
            **self.env,
        }
        self.log = self.settings.data_dir.parent / f"server-{self.port}.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(COFINANCE), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: see {self.log}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not answer in time")

    def kill(self) -> None:
        """SIGKILL, no goodbye: what a power cut or the OOM killer does to the process."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.process = None


# ---------------------------------------------------------------- the département


def seed(db: Database, settings: Settings, applications: int) -> None:
    """Funders, users, an open call, `applications` eligible files of one association."""
    from engine.services.accounts import create_user
    from engine.services.applications import create_application, submit_application
    from engine.services.calls import EnvelopeIn, create_call, open_call
    from engine.services.documents import add_document
    from engine.services.funders import create_funder
    from tests.api.conftest import DOCUMENT_KINDS, pdf_bytes, reaap_body

    for code, name, kind, insee in FUNDERS:
        create_funder(db, SYSTEM, code, name, kind, insee=insee, email=f"{code}@example.org")
    for username, role, funder, organisation in [
        ("chair", "chair", None, None),
        *((member, "funder", code, None) for code, member in MEMBERS.items()),
        ("asso", "applicant", None, "Café des parents"),
    ]:
        create_user(
            db,
            username,
            PASSWORD,
            role,
            email=f"{username}@example.org",
            funder_code=funder,
            organisation=organisation,
        )
    with db.reading() as session:
        from engine.models import User

        people = {u.username: Actor.of(u) for u in session.exec(select(User))}
    call = create_call(
        db,
        people["chair"],
        "reaap",
        "Reaap",
        now() - timedelta(days=1),
        now() + timedelta(days=365),
        [EnvelopeIn(code, Decimal("10000000")) for code in MEMBERS],
    )
    open_call(db, people["chair"], call.id or 0)
    for index in range(applications):
        draft = create_application(
            db, people["asso"], call.id or 0, f"Dossier {index}", reaap_body()
        )
        for kind in DOCUMENT_KINDS:
            add_document(
                db,
                people["asso"],
                draft.id or 0,
                kind,
                f"{kind}.pdf",
                io.BytesIO(pdf_bytes()),
                settings,
            )
        submitted = submit_application(db, people["asso"], draft.id or 0, settings)
        assert submitted.application.state == "eligible"


def tokens(base_url: str) -> dict[str, dict[str, str]]:
    result = {}
    for username in ("chair", *MEMBERS.values()):
        response = httpx.post(
            base_url + "/api/v1/auth/token",
            data={"username": username, "password": PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        result[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return result


def ready_to_close(client: httpx.Client, headers: dict[str, dict[str, str]], ids: list[int]) -> int:
    """A session with these applications on its agenda, open, every share granted."""

    def call(method: str, user: str, path: str, **kwargs: Any) -> Any:
        response = client.request(method, path, headers=headers[user], **kwargs)
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json()

    meeting = call(
        "POST",
        "chair",
        "/sessions",
        json={
            "call_id": 1,
            "title": "Séance",
            "starts_at": now().isoformat(),  # today: a session opens from its day
            "location": "Grenoble",
        },
    )
    path = f"/sessions/{meeting['id']}"
    call("PUT", "chair", f"{path}/agenda", json={"application_ids": ids})
    call("POST", "chair", f"{path}/convene")
    # Every member present: the quorum the opening requires.
    members = call("GET", "chair", f"{path}/attendance")["attendees"]
    present = [{"user": m["user"], "status": "present"} for m in members]
    call("PUT", "chair", f"{path}/attendance", json={"attendees": present})
    call("POST", "chair", f"{path}/open")
    for item in call("GET", "chair", path)["agenda"]:
        for share in item["shares"]:
            call(
                "POST",
                MEMBERS[share["funder"]],
                f"{path}/decisions",
                json={
                    "application_id": item["id"],
                    "funder": share["funder"],
                    "outcome": "granted",
                    "amount": share["requested"],
                },
            )
    return int(meeting["id"])


# ---------------------------------------------------------------- the workload


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int | None, error: str | None = None) -> None:
        with self.lock:
            if status is not None:
                self.statuses[status] += 1
            if error is not None:
                self.errors[error] += 1


class Workload:
    """Threads driving committee sessions to their close through the API, until told to stop
    (or until the server is gone): agenda, convene, open, every decision, close."""

    def __init__(self, base_url: str, headers: dict[str, dict[str, str]], seed: int) -> None:
        self.base_url = base_url
        self.headers = headers
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.tally = Tally()
        self.threads: list[threading.Thread] = []
        self.failures: list[str] = []

    def request(self, client: httpx.Client, method: str, user: str, path: str, **kw: Any) -> Any:
        if self.stop.is_set():
            raise _Stopped
        try:
            response = client.request(
                method, "/api/v1" + path, headers=self.headers[user], timeout=60, **kw
            )
        except httpx.HTTPError as exc:
            self.tally.add(None, type(exc).__name__)
            raise _Stopped from None
        self.tally.add(response.status_code)
        if response.status_code == 503:
            assert response.json()["code"] == "unavailable", response.text
            time.sleep(0.2)
            raise _Retry  # the database is away for a moment: start this attempt again
        if response.status_code >= 500:
            self.failures.append(f"{method} {path}: {response.status_code} {response.text}")
            raise _Stopped
        return response

    def start(self, threads: int = 3) -> None:
        for index in range(threads):
            thread = threading.Thread(target=self._run, args=(index,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _run(self, index: int) -> None:
        with httpx.Client(base_url=self.base_url) as client:
            while not self.stop.is_set():
                try:
                    self._one_session(client, index)
                except _Retry:
                    continue
                except _Stopped:
                    return
                except Exception as exc:  # reported by the test, not lost in a thread
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                    return

    def _one_session(self, client: httpx.Client, index: int) -> None:
        sessions = self.request(client, "GET", "chair", "/sessions").json()
        unfinished = [s for s in sessions if s["state"] in ("planned", "convened", "open")]
        if unfinished and self.random.random() < 0.8:
            meeting = self.random.choice(unfinished)
        else:
            listing = self.request(
                client, "GET", "chair", "/applications", params={"state": "eligible", "limit": 50}
            ).json()
            candidates = [a["id"] for a in listing["items"]]
            if not candidates:
                time.sleep(0.05)
                return
            created = self.request(
                client,
                "POST",
                "chair",
                "/sessions",
                json={
                    "call_id": 1,
                    "title": f"Séance {index}",
                    "starts_at": now().isoformat(),  # today: a session opens from its day
                    "location": "Grenoble",
                },
            )
            if created.status_code != 201:
                return
            meeting = created.json()
            picked = self.random.sample(candidates, min(len(candidates), 2))
            self.request(
                client,
                "PUT",
                "chair",
                f"/sessions/{meeting['id']}/agenda",
                json={"application_ids": picked},
            )
        self._drive(client, meeting["id"])

    def _drive(self, client: httpx.Client, session_id: int) -> None:
        view = self.request(client, "GET", "chair", f"/sessions/{session_id}")
        if view.status_code != 200:
            return
        meeting = view.json()
        if meeting["state"] == "planned":
            if not meeting["agenda"]:
                self.request(client, "POST", "chair", f"/sessions/{session_id}/cancel")
                return
            self.request(client, "POST", "chair", f"/sessions/{session_id}/convene")
            meeting["state"] = "convened"
        if meeting["state"] == "convened":
            # Every member present (the quorum the opening requires), then open.
            sheet = self.request(client, "GET", "chair", f"/sessions/{session_id}/attendance")
            if sheet.status_code == 200:
                present = [
                    {"user": m["user"], "status": "present"} for m in sheet.json()["attendees"]
                ]
                self.request(
                    client,
                    "PUT",
                    "chair",
                    f"/sessions/{session_id}/attendance",
                    json={"attendees": present},
                )
            self.request(client, "POST", "chair", f"/sessions/{session_id}/open")
        for item in meeting["agenda"]:
            for share in item["shares"]:
                if share["state"] in ("granted", "refused", "deferred"):
                    continue
                outcome = self.random.choice(("granted", "granted", "refused", "deferred"))
                amount = share["requested"] if outcome == "granted" else None
                self.request(
                    client,
                    "POST",
                    MEMBERS[share["funder"]],
                    f"/sessions/{session_id}/decisions",
                    json={
                        "application_id": item["id"],
                        "funder": share["funder"],
                        "outcome": outcome,
                        "amount": amount,
                    },
                )
        self.request(client, "POST", "chair", f"/sessions/{session_id}/close")


class _Stopped(Exception):
    """The server is gone (killed): this thread stops."""


class _Retry(Exception):
    """The database is away for a moment (503): the attempt starts again."""


# ---------------------------------------------------------------- the invariants


def orphans(db: Database, settings: Settings) -> list[Path]:
    """What a crash may leave in the data folder: upload temporaries (documents and letters are
    rows of the database, with nothing on disk to orphan)."""
    folder = settings.data_dir / "documents"
    return sorted(folder.glob(".upload-*")) if folder.is_dir() else []


def invariants(db: Database, settings: Settings, settled: bool = False) -> list[str]:
    """Everything a crash must never leave behind; the list of what is wrong (empty: all good).
    `settled`: production has had time to finish since the last start, every job is done."""
    problems: list[str] = []
    with db.reading() as session:
        if not db.is_sqlite:
            # One snapshot for every query below: a server still running (producing letters)
            # must not commit between two of them.
            session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        events = list(session.exec(select(Event).order_by(Event.id)))  # type: ignore[arg-type]
        last: dict[tuple[str, int], str] = {}
        decisions: Counter[int] = Counter()
        for event in events:
            if event.to_state is not None:
                last[(event.entity, event.entity_id)] = event.to_state
            if event.entity == "share" and event.action in ("grant", "refuse", "refuse_ineligible"):
                decisions[event.entity_id] += 1
        # 1. Every state change has its event: each row is where its last event put it.
        for name, model in MODELS.items():
            for row in session.exec(select(model)):
                expected = last.get((name, row.id), ALL[name].initial)
                if row.state != expected:
                    problems.append(f"{name} {row.id} is {row.state}, its events say {expected}")
        # 2. No decision applied twice.
        problems += [f"share {s} decided {n} times" for s, n in decisions.items() if n > 1]
        # 3. A session is closed with its decisions locked and its production recorded (one job
        # per file of its agenda, one for the minutes), or open with nothing of its close. Each job
        # done has exactly its letters and emails, each job pending none; once production has
        # settled (`settled`), every job is done: one full set, nothing twice.
        letters = list(session.exec(select(Letter)))
        outbox = list(session.exec(select(OutboxMessage)))
        jobs = list(session.exec(select(ProductionJob)))
        for meeting in session.exec(select(Meeting)):
            agenda = [
                session.get(Application, item.application_id)
                for item in session.exec(
                    select(AgendaItem).where(AgendaItem.session_id == meeting.id)
                )
            ]
            own_letters = [x for x in letters if x.session_id == meeting.id]
            own_jobs = [j for j in jobs if j.session_id == meeting.id]
            problems += _production_problems(meeting, own_jobs, own_letters, outbox, settled)
            close_letters = [x for x in own_letters if x.kind not in ("convocation", "pack")]
            close_jobs = [j for j in own_jobs if j.kind != "convocation"]
            if meeting.state == "closed":
                if meeting.closed_at is None:
                    problems.append(f"session {meeting.id} closed without its time")
                for application in agenda:
                    assert application is not None
                    shares = session.exec(
                        select(Share).where(Share.application_id == application.id)
                    ).all()
                    if any(s.state not in ("granted", "refused", "deferred") for s in shares):
                        problems.append(f"session {meeting.id} closed, a share undecided")
                # Every file of the agenda has its letters: decided, or deferred with the reason.
                expected = Counter({("minutes", None): 1})
                expected.update(("letter", a.id) for a in agenda if a is not None)
                found = Counter((j.kind, j.application_id) for j in close_jobs)
                if found != expected:
                    problems.append(f"session {meeting.id} closed, its production jobs {found}")
            elif close_letters or close_jobs:
                problems.append(f"session {meeting.id} is {meeting.state} with letters of a close")
            if meeting.state in ("planned", "convened", "open"):
                for application in agenda:
                    assert application is not None
                    if application.state != "scheduled":
                        problems.append(
                            f"application {application.id} on open session {meeting.id} "
                            f"is {application.state}"
                        )
        # 4. Every document and letter has its content, and every content its row.
        blobs = set(session.exec(select(Blob.id)).all())
        owned: Counter[int] = Counter()
        for kind, rows in (("document", session.exec(select(Document))), ("letter", letters)):
            for row in rows:
                if row.blob_id is None or row.blob_id not in blobs:
                    problems.append(f"{kind} {row.id} has no content")
                else:
                    owned[row.blob_id] += 1
        # The other owners of a content: conventions and their signed copies (drawn up at
        # notification), a final report's supporting documents, an organisation's documents.
        for agreement in session.exec(select(Agreement)):
            for blob_id in (agreement.blob_id, agreement.signed_blob_id):
                if blob_id is not None:
                    owned[blob_id] += 1
        for model in (ReportDocument, OrganisationDocument):
            for owner in session.exec(select(model)):
                owned[owner.blob_id] += 1
        if set(owned) != blobs or any(n > 1 for n in owned.values()):
            problems.append(f"{len(blobs - set(owned))} blobs without their row")
        # 5. The database itself.
        if db.is_sqlite:
            check = session.execute(text("PRAGMA integrity_check")).scalar_one()
            if check != "ok":
                problems.append(f"integrity_check: {check}")
    return problems


def _production_problems(
    meeting: Meeting,
    jobs: list[ProductionJob],
    letters: list[Letter],
    outbox: list[OutboxMessage],
    settled: bool,
) -> list[str]:
    """Each production job of a session has produced its letters and emails once if done, and
    nothing if pending."""
    problems = []
    # (Convocations: one per member, counted against their jobs below.)
    counted = Counter(
        (x.kind, x.application_id, x.funder_id)
        for x in letters
        if x.kind not in ("convocation", "pack")
    )
    problems += [f"session {meeting.id}: letter {k} {n} times" for k, n in counted.items() if n > 1]
    ids = {x.id for x in letters}
    mails = Counter((m.kind, m.recipient, tuple(m.attachments)) for m in outbox)
    problems += [
        f"session {meeting.id}: email {k} {n} times"
        for k, n in mails.items()
        if n > 1 and any(a in ids for a in k[2])
    ]
    by_kind = Counter(x.kind for x in letters)
    for job in jobs:
        if settled and job.state != "done":
            problems.append(f"production job {job.id} ({job.key}) still {job.state}")
        done = job.state == "done"
        if job.kind == "letter":
            own = [x for x in letters if x.application_id == job.application_id]
            holder = [x for x in own if x.kind == "decision"]
            emails = [
                m
                for m in outbox
                if m.kind in ("decision", "deferral") and holder and holder[0].id in m.attachments
            ]
            if done and (len(holder) != 1 or len(own) < 2 or not emails):
                problems.append(f"job {job.key} done without its letters or its email")
            if not done and own:
                problems.append(f"job {job.key} pending with letters")
    for kind, job_kind in (("minutes", "minutes"), ("convocation", "convocation")):
        done_jobs = sum(1 for j in jobs if j.kind == job_kind and j.state == "done")
        if by_kind[kind] != done_jobs:
            problems.append(f"session {meeting.id}: {by_kind[kind]} {kind} for {done_jobs} jobs")
    return problems


def settle(db: Database, timeout: float = 120) -> bool:
    """Wait until every production job is done (the restarted server produces them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.reading() as session:
            pending = session.exec(
                select(ProductionJob.id).where(ProductionJob.state != "done").limit(1)
            ).first()
        if pending is None:
            return True
        time.sleep(0.2)
    return False


@contextmanager
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.effective_database_url)
    try:
        yield db
    finally:
        db.dispose()


def counts(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return {
            "closed": len(session.exec(select(Meeting).where(Meeting.state == "closed")).all()),
            "decisions": len(
                session.exec(
                    select(Event).where(
                        Event.entity == "share",
                        Event.action.in_(("grant", "refuse", "defer")),  # type: ignore[attr-defined]
                    )
                ).all()
            ),
            "letters": len(session.exec(select(Letter)).all()),
            "produced": len(
                session.exec(select(ProductionJob).where(ProductionJob.state == "done")).all()
            ),
        }
