"""Emails over a real SMTP server (aiosmtpd on 127.0.0.1): content, attachments, TLS, login."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from engine.db import Database
from engine.notify.deliver import dispatch_outbox
from engine.notify.mail import SmtpConfig
from engine.notify.render import render_email
from engine.settings import Settings
from tests.engine.notify.world import SmtpServer, World

BODY_WORDS = ("Bonjour", "Comité des financeurs")


def attachments(message: Any) -> list[tuple[str, str, bytes]]:
    return [
        (part.get_content_type(), part.get_filename(), part.get_content())
        for part in message.iter_attachments()
    ]


def parts(message: Any) -> dict[str, str]:
    return {
        kind: message.get_body(preferencelist=(kind,)).get_content()
        for kind in ("plain", "html")
        if message.get_body(preferencelist=(kind,)) is not None
    }


def test_the_decision_email_arrives_over_smtp_with_the_consolidated_letter_attached(
    world: World, settings: Settings, db: Database, smtp: SmtpServer
) -> None:
    application_id, _ = world.decided()
    settings.smtp_url = smtp.url
    queued = world.outbox()
    assert dispatch_outbox(db, settings, limit=100) == len(queued)

    assert sorted(smtp.recorder.message_ids()) == sorted(r.message_id for r in queued)
    decision = [m for m in smtp.messages if m["Subject"].startswith("Décision du comité")]
    assert {m["To"] for m in decision} == {"asso@example.org"}
    (message,) = decision
    body = parts(message)
    assert "accordée — 3 000,00 €" in body["plain"].replace("\u202f", " ").replace("\u00a0", " ")
    assert "<li>" in body["html"] and "Bonjour" in body["html"]
    ((content_type, filename, data),) = attachments(message)
    assert content_type == "application/pdf" and filename.endswith(".pdf")
    assert data.startswith(b"%PDF-")
    assert message["From"] == settings.mail_from
    assert message["Auto-Submitted"] == "auto-generated"

    # Each funder concerned receives its own letter, its members and its address alike.
    funder_mail = [m for m in smtp.messages if m["Subject"].startswith("Décision de séance")]
    to_caf = {m["To"] for m in funder_mail if "Caf de l'Isère" in m["Subject"]}
    assert to_caf == {"caf1@example.org", "caf@example.org"}
    assert all(attachments(m)[0][2].startswith(b"%PDF-") for m in funder_mail)
    # The convocation went to the chair and to each funder's members, its PDF attached.
    convocations = [m for m in smtp.messages if m["Subject"].startswith("Convocation")]
    assert {"chair@example.org", "caf1@example.org", "dep1@example.org"} <= {
        m["To"] for m in convocations
    }
    assert all(attachments(m)[0][0] == "application/pdf" for m in convocations)

    with db.reading() as session:
        from engine.models import Application

        application = session.get(Application, application_id)
        assert application is not None and application.state == "notified"
    assert all(r.state == "sent" and r.attempts == 1 for r in world.outbox())


def test_without_an_smtp_url_each_message_is_written_as_an_eml_file(
    world: World, settings: Settings, db: Database
) -> None:
    world.decided()
    assert settings.smtp_url is None
    queued = world.outbox()
    dispatch_outbox(db, settings, limit=100)
    files = sorted((settings.data_dir / "outbox").glob("*.eml"))
    assert [f.name for f in files] == [f"{r.id:08d}-{r.kind}.eml" for r in queued]
    assert all(r.message_id.encode() in f.read_bytes() for r, f in zip(queued, files, strict=True))
    assert not list((settings.data_dir / "outbox").glob("*.tmp"))


MEETING = SimpleNamespace(
    title="Séance de printemps",
    starts_at=datetime(2026, 3, 31, 12, 0, tzinfo=UTC),
    location="Hôtel du Département",
)
APPLICATION = SimpleNamespace(
    title="Café des parents",
    reference="REAAP-2026-00001",
    submitted_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
    eligibility="eligible",
    state="draft",
)
CONTEXTS: dict[str, dict[str, Any]] = {
    "submission_receipt": {"application": APPLICATION},
    "documents_requested": {"application": APPLICATION, "reason": "Le RIB manque."},
    "convocation": {"meeting": MEETING, "count": 3},
    "convocation_reminder": {"meeting": MEETING, "count": 3, "attached": True},
    "session_not_convened": {"meeting": MEETING, "count": 3, "days": 8},
    "draft_reminder": {
        "application": APPLICATION,
        "call": SimpleNamespace(title="Reaap 2026", closes_at=MEETING.starts_at),
        "days": 7,
    },
    "undecided_shares": {
        "meeting": MEETING,
        "funder": SimpleNamespace(name="Caf de l'Isère"),
        "items": [{"reference": "R-1", "title": "A", "requested": Decimal("10"), "proposed": None}],
    },
    "decision": {
        "application": APPLICATION,
        "meeting": MEETING,
        "lines": [{"funder_name": "Caf", "label": "accordée", "amount": Decimal("1234.5")}],
    },
    "funder_decision": {
        "application": APPLICATION,
        "meeting": MEETING,
        "funder": SimpleNamespace(name="Caf de l'Isère"),
    },
    "final_report_due": {
        "application": APPLICATION,
        "due": date(2028, 6, 15),
        "period_end": date(2027, 12, 15),
        "months": 6,
        "lines": [{"funder_name": "Caf", "amount": Decimal("3000")}],
    },
}


@pytest.mark.parametrize("kind", sorted(CONTEXTS))
def test_every_kind_of_email_has_a_french_subject_a_text_part_and_an_html_part(kind: str) -> None:
    subject, text, html = render_email(kind, CONTEXTS[kind])
    assert subject and "\n" not in subject
    assert all(word in text for word in BODY_WORDS)
    assert html.startswith("<!doctype html>") and 'lang="fr"' in html and "Bonjour" in html
    if "meeting" in CONTEXTS[kind] or kind == "draft_reminder":
        # Shown on Paris clocks: 12:00 UTC on 31 March 2026 is 14:00 in Paris (summer time).
        assert "31 mars 2026 à 14 h 00" in text


def test_html_emails_escape_what_users_typed() -> None:
    hostile = SimpleNamespace(**{**vars(APPLICATION), "title": "<script>alert(1)</script>"})
    _, text, html = render_email("submission_receipt", {"application": hostile})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>" in text  # plain text is not markup


# -- the SMTP URL --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.local", ("relay.local", 25, "plain", None, None)),
        (
            "smtp://bob:p%40ss%3Aw@mail.example.org:587?starttls=1",
            ("mail.example.org", 587, "starttls", "bob", "p@ss:w"),
        ),
        ("smtps://bob:pw@mail.example.org", ("mail.example.org", 465, "tls", "bob", "pw")),
        (
            "smtp://mail.example.org:2525?starttls=required&timeout=5",
            ("mail.example.org", 2525, "starttls", None, None),
        ),
    ],
)
def test_the_smtp_url_says_host_port_security_and_login(
    url: str, expected: tuple[Any, ...]
) -> None:
    config = SmtpConfig.from_url(url)
    assert (config.host, config.port, config.security, config.username, config.password) == (
        expected
    )
    assert "pw" not in config.redacted() and "p@ss" not in config.redacted()


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.org",
        "smtp://",
        "smtp://mail.example.org?starttls=maybe",
        "smtps://mail.example.org?starttls=1",
        "smtp://mail.example.org?tls=1",
        "smtp://mail.example.org:99999",
        "smtp://mail.example.org?timeout=soon",
    ],
)
def test_a_wrong_smtp_url_is_refused_with_its_reason(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP URL"):
        SmtpConfig.from_url(url)


def test_a_bad_smtp_url_leaves_every_message_pending_with_the_reason(
    world: World, settings: Settings, db: Database
) -> None:
    world.decided()
    settings.smtp_url = "smtp://mail.example.org?tls=1"
    assert dispatch_outbox(db, settings, limit=100) == 0
    rows = world.outbox()
    assert all(r.state == "pending" and r.attempts == 1 for r in rows)
    assert all("unknown parameter(s) tls" in (r.last_error or "") for r in rows)


# -- TLS and login against the real server -------------------------------------------------------


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"comite",
        b"s3cret@pw",
    )
    return AuthResult(success=ok, handled=False)  # aiosmtpd then answers 235 or 535


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_starttls_and_login_from_the_url_reach_a_server_that_requires_both(
    world: World, settings: Settings, db: Database, certificate: tuple[Path, Path]
) -> None:
    server = SmtpServer(
        tls_context=_server_context(certificate),
        require_starttls=True,
        authenticator=_authenticator,
        auth_require_tls=True,
        auth_required=True,
    ).start()
    try:
        world.decided()
        settings.outbox_backoff_seconds = 0  # due again at once after a failure
        base = (
            f"smtp://comite:s3cret%40pw@127.0.0.1:{server.port}?starttls=1&cafile={certificate[0]}"
        )
        settings.smtp_url = base.replace("s3cret", "wrong")
        assert dispatch_outbox(db, settings, limit=100) == 0
        assert all("535" in (r.last_error or "") for r in world.outbox())
        assert server.messages == []

        settings.smtp_url = base
        assert dispatch_outbox(db, settings, limit=100) == len(world.outbox())
        assert len(server.messages) == len(world.outbox())
    finally:
        server.stop()


def test_smtps_speaks_tls_from_the_first_byte_and_checks_the_certificate(
    world: World, settings: Settings, db: Database, certificate: tuple[Path, Path]
) -> None:
    server = SmtpServer(ssl_context=_server_context(certificate)).start()
    try:
        world.decided()
        settings.outbox_backoff_seconds = 0
        settings.smtp_url = f"smtps://127.0.0.1:{server.port}"  # the system CAs do not know it
        assert dispatch_outbox(db, settings, limit=100) == 0
        assert all("CERTIFICATE_VERIFY_FAILED" in (r.last_error or "") for r in world.outbox())

        settings.smtp_url = f"smtps://127.0.0.1:{server.port}?cafile={certificate[0]}"
        assert dispatch_outbox(db, settings, limit=100) == len(world.outbox())
        assert len(server.messages) == len(world.outbox())
    finally:
        server.stop()
