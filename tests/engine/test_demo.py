"""`cofinance demo`: a complete demo département, built through the services, loadable twice."""

from __future__ import annotations

import io
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from engine.access import SYSTEM
from engine.blobs import blob_content
from engine.db import Database, get_database
from engine.demo import DemoError, load
from engine.demo.people import USERS
from engine.models import (
    Agreement,
    Application,
    Call,
    Document,
    Event,
    FinalReport,
    Letter,
    Meeting,
    OutboxMessage,
    Payment,
    ReportReview,
    Settlement,
    Share,
)
from engine.services.accounts import authenticate
from engine.services.funders import create_funder
from engine.settings import Settings

EVERY_STATE = {
    "draft",
    "incomplete",
    "eligible",
    "ineligible",
    "scheduled",
    "notified",
    "settled",
    "closed",
    "withdrawn",
}


def row_counts(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_demo_has_every_state_a_closed_session_with_letters_and_loads_twice(
    settings: Settings,
) -> None:
    lines = load(settings)
    db = get_database(settings)

    assert lines[0] == f"Demo loaded: {settings.base_url}"
    printed = "\n".join(lines)
    for user in USERS:
        assert user.username in printed and user.password in printed
        assert authenticate(db, user.username, user.password) is not None

    with db.reading() as session:
        applications = list(session.exec(select(Application)))
        states = Counter(a.state for a in applications)
        assert set(states) == EVERY_STATE, states
        assert {c.state for c in session.exec(select(Call))} == {"open", "closed"}
        open_calls = session.exec(select(Call).where(Call.state == "open")).all()
        assert {c.scheme for c in open_calls} == {"reaap", "clas"}

        # Every application has its audit trail; submitted ones carry their rule result.
        with_events = set(session.exec(select(Event.application_id)))
        assert {a.id for a in applications} <= with_events
        assert all(a.result for a in applications if a.state != "draft")
        incomplete = next(a for a in applications if a.state == "incomplete")
        assert incomplete.result is not None and incomplete.result["failed"] == ["G3"]
        assert session.exec(select(func.count()).select_from(Document)).one() > 0

        # The past session: closed, every share decided, letters and minutes stored.
        # (The latest one; the spring session before it is engine/demo/story/after_decision.py's.)
        closed = session.exec(
            select(Meeting).where(Meeting.state == "closed").order_by(col(Meeting.starts_at).desc())
        ).first()
        assert closed is not None
        letters = list(session.exec(select(Letter).where(Letter.session_id == closed.id)))
        kinds = Counter(letter.kind for letter in letters)
        assert kinds["minutes"] == 1 and kinds["decision"] == 3
        for letter in letters:
            content = blob_content(session, letter.blob_id)
            assert content is not None and content.startswith(b"%PDF-")
        minutes = next(x for x in letters if x.kind == "minutes")
        assert_past_minutes(minutes_text(blob_content(session, minutes.blob_id) or b""))
        decided = session.exec(select(Share).where(Share.session_id == closed.id)).all()
        assert decided and {s.state for s in decided} <= {"granted", "refused"}
        assert "granted" in {s.state for s in decided}
        planned = session.exec(select(Meeting).where(Meeting.state == "planned")).one()
        assert planned.starts_at > open_calls[0].closes_at

        # The outbox went out as .eml files: the decided files are notified.
        outbox = list(session.exec(select(OutboxMessage)))
        assert outbox and {m.state for m in outbox} == {"sent"}
    assert len(files(settings.data_dir / "outbox")) == len(outbox)

    counts = row_counts(db)
    on_disk = {name: files(settings.data_dir / name) for name in ("outbox",)}
    again = load(settings)
    assert again[0] == f"Demo already loaded: {settings.base_url}"
    assert again[1:] == lines[1:]
    assert row_counts(db) == counts
    assert {name: files(settings.data_dir / name) for name in on_disk} == on_disk


def test_demo_shows_every_stage_of_the_life_after_the_decision(settings: Settings) -> None:
    load(settings)
    db = get_database(settings)
    with db.reading() as session:
        agreements = list(session.exec(select(Agreement)))
        payments = list(session.exec(select(Payment)))
        reports = list(session.exec(select(FinalReport)))
        settlements = list(session.exec(select(Settlement)))
        applications = {a.id: a for a in session.exec(select(Application))}
        revisions = list(
            session.exec(select(ReportReview).where(ReportReview.outcome == "revision"))
        )

        # Conventions: grants each below the threshold, above it cumulated (one funder, one
        # organisation, one civil year); one awaiting signature, one signed by the holder.
        conventions = [a for a in agreements if a.kind == "convention"]
        assert {a.state for a in conventions} >= {"awaiting_signature", "signed_by_holder"}
        for convention in conventions:
            assert convention.amount <= Decimal("23000") < convention.cumulated
            assert convention.blob_id is not None
        signed = next(a for a in conventions if a.state == "signed_by_holder")
        assert signed.signed_blob_id is not None
        assert {a.state for a in agreements if a.kind == "notification"} == {"in_force"}

        # Advances ordered with an accounting reference and paid; one ordered, not yet paid.
        advances = [p for p in payments if p.kind == "advance"]
        paid = [p for p in advances if p.state == "paid"]
        assert paid and all(p.reference and p.paid_on for p in paid)
        assert any(p.state == "ordered" and p.reference for p in advances)
        assert any(p.state == "scheduled" for p in advances)

        # Final reports: one submitted, one handed back with its reason, two approved.
        states = Counter(r.state for r in reports)
        assert states["submitted"] and states["revision_requested"] and states["approved"] >= 2
        assert revisions and all(r.comment for r in revisions)

        # Settlements: one leaving balances to pay, one asking money back, that file closed.
        assert len(settlements) == 2
        by_application = {s.application_id: s for s in settlements}
        assert {applications[i].state for i in by_application} == {"settled", "closed"}
        for application_id, settlement in by_application.items():
            assert settlement.excess > 0
            kinds = {p.kind: p.state for p in payments if p.application_id == application_id}
            if applications[application_id].state == "settled":
                assert kinds["balance"] == "scheduled"
            else:
                assert kinds["recovery"] == "paid" and kinds["balance"] == "cancelled"
        closed = next(a for a in applications.values() if a.state == "closed")
        assert {p.state for p in payments if p.application_id == closed.id} <= {
            "paid",
            "cancelled",
        }


def minutes_text(content: bytes) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def assert_past_minutes(text: str) -> None:
    """The past session's minutes say who was there, who took no part, what members thought."""
    # Attendance: present, excused, represented by a proxy; the quorum.
    assert "Présences et quorum" in text
    assert "Sophie Garnier" in text and "présent(e)" in text
    assert "Marc Lefèvre" in text and "excusé(e)" in text
    assert "représenté(e) par Isabelle Roux" in text
    assert "Le quorum est atteint" in text
    # A recusal on the Café des parents.
    assert "N'ont pas pris part à la décision" in text
    assert "Membre du conseil d'administration de l'association Parents en Chemin." in text
    # The opinions given before the session, per file.
    assert "Avis des membres avant la séance" in text
    assert "réservé. Le tarif de 2 € par séance doit rester accessible" in text
    assert "défavorable. Action hors des territoires ruraux." in text
    assert "favorable. Action ancrée dans le quartier, budget raisonnable." in text


def test_demo_refuses_a_database_holding_other_data(settings: Settings) -> None:
    db = get_database(settings)
    create_funder(db, SYSTEM, "caf", "Caf de la Drôme", "caf")
    before = row_counts(db)
    with pytest.raises(DemoError, match="empty database"):
        load(settings)
    assert row_counts(db) == before
