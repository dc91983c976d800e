"""Fixtures of the security tests: a world with an object of every kind in every useful state,
and a fingerprint of everything stored (every table, every file) to prove a refusal changed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from engine.access import Actor
from engine.db import Database
from engine.models import Letter, Notification, OutboxMessage, User
from engine.settings import Settings
from tests.api.conftest import Api, pdf_bytes

# Workflow rows: a refused request must not change their state or version either.
VERSIONED = ("applications", "shares", "sessions", "calls")


def stored(db: Database, settings: Settings) -> dict[str, Any]:
    """Row counts of every table, the state and version of every workflow row, what was read
    or signed out, and every file under the data folder (name and size)."""
    result: dict[str, Any] = {}
    with db.reading() as session:
        for table in SQLModel.metadata.sorted_tables:
            count = session.execute(text(f"SELECT count(*) FROM {table.name}")).scalar_one()
            result[table.name] = count
        for name in VERSIONED:
            rows = session.execute(text(f"SELECT id, state, version FROM {name} ORDER BY id"))
            result[f"{name}:rows"] = [tuple(r) for r in rows]
        result["users:generations"] = [
            tuple(r)
            for r in session.execute(text("SELECT id, token_generation FROM users ORDER BY id"))
        ]
        result["notifications:read"] = session.execute(
            text("SELECT count(*) FROM notifications WHERE read_at IS NOT NULL")
        ).scalar_one()
        result["outbox:states"] = [
            tuple(r) for r in session.execute(text("SELECT id, state FROM outbox ORDER BY id"))
        ]
    root = settings.data_dir
    result["files"] = sorted(
        (str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if p.is_file()
    )
    return result


def actors(db: Database) -> dict[str, Actor]:
    with db.reading() as session:
        return {u.username: Actor.of(u) for u in session.exec(select(User))}


@dataclass
class World:
    """Objects of every kind, owned by `asso` unless said otherwise (ids)."""

    api: Api
    ids: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.ids[name]


def build_world(api: Api) -> World:
    """Calls (open, draft), asso's files in every state a route acts on, other's file, and
    sessions planned, convened, open and closed (with its letters and minutes)."""
    world = World(api)
    ids = world.ids
    call = api.call()
    ids["call"] = call["id"]
    ids["draft_call"] = api.call(open_it=False)["id"]
    draft = api.draft(call["id"], title="ASSO-DRAFT")
    ids["draft"] = draft["id"]
    api.ok(api.upload(draft["id"], "rib", filename="rib-du-brouillon.pdf"), 201)
    ids["eligible"] = api.eligible(call["id"], title="ASSO-ELIGIBLE")["id"]
    ids["document"] = api.ok(api.get("asso", f"/applications/{ids['eligible']}/documents"))[0]["id"]
    ids["draft_document"] = api.ok(api.get("asso", f"/applications/{draft['id']}/documents"))[0][
        "id"
    ]
    ids["ineligible"] = api.ineligible(call["id"], title="ASSO-INELIGIBLE")["id"]
    ids["scheduled"] = api.eligible(call["id"], title="ASSO-SCHEDULED")["id"]
    ids["decided"] = api.eligible(call["id"], title="ASSO-DECIDED")["id"]
    ids["theirs"] = api.eligible(call["id"], user="other", title="OTHER-ELIGIBLE")["id"]

    closed = api.open_session(call["id"], [ids["decided"]])
    for funder, outcome, amount in (
        ("caf", "granted", "3000.00"),
        ("departement", "granted", "1200.00"),
        ("msa", "refused", None),
        ("etat", "granted", "300.00"),
    ):
        api.ok(api.decide(closed["id"], ids["decided"], funder, outcome, amount), 201)
    api.move(closed["id"], "close")
    ids["closed_session"] = closed["id"]
    ids["open_session"] = api.open_session(call["id"], [ids["scheduled"]])["id"]
    convened = api.session(call["id"], title="Séance convoquée")
    # An empty agenda is not convened.
    ids["convened_app"] = api.eligible(call["id"], title="ASSO-CONVENED")["id"]
    api.agenda(convened["id"], [ids["convened_app"]])
    api.move(convened["id"], "convene")
    ids["convened_session"] = convened["id"]
    ids["planned_session"] = api.session(call["id"], title="Séance planifiée")["id"]

    people = actors(api.db)
    funders = api.ok(api.get("admin", "/funders"))
    caf_id = next(f["id"] for f in funders if f["code"] == "caf")
    # No request while a session is open here: on SQLite it holds the database (BEGIN IMMEDIATE).
    with api.db.reading() as session:
        letters = list(session.exec(select(Letter).where(Letter.application_id == ids["decided"])))
        ids["decision_letter"] = next(x.id for x in letters if x.kind == "decision") or 0
        ids["caf_letter"] = (
            next(x.id for x in letters if x.kind == "funder" and x.funder_id == caf_id) or 0
        )
        ids["minutes"] = (
            session.exec(
                select(Letter).where(
                    Letter.session_id == ids["closed_session"], Letter.kind == "minutes"
                )
            )
            .one()
            .id
            or 0
        )
        notification = session.exec(
            select(Notification).where(Notification.user_id == people["asso"].id)
        ).first()
        assert notification is not None
        ids["asso_notification"] = notification.id or 0
        message = session.exec(select(OutboxMessage)).first()
        assert message is not None
        ids["message"] = message.id or 0
    # The Caf's advance on the decided file, ready to order (the agreement's hook may already
    # have opened it: open_payments then returns what exists).
    from types import SimpleNamespace

    from engine.access import SYSTEM
    from engine.models import Share
    from engine.services.payments import open_payments

    with api.db.transaction() as session:
        share = session.exec(
            select(Share).where(Share.application_id == ids["decided"], Share.funder_id == caf_id)
        ).one()
        in_force = SimpleNamespace(id=None, state="in_force")
        opened = open_payments(session, share, in_force, SYSTEM)
        ids["caf_advance"] = next(p.id for p in opened if p.kind == "advance") or 0
    # The Département's agreement on the decided file made a convention the holder has signed
    # (its PDF and the signed copy stored): the sign, countersign and download routes' object.
    from engine.blobs import new_blob
    from engine.models import Agreement, Funder

    with api.db.transaction() as session:
        dep_id = session.exec(select(Funder.id).where(Funder.code == "departement")).one()
        agreement = session.exec(
            select(Agreement).where(
                Agreement.application_id == ids["decided"], Agreement.funder_id == dep_id
            )
        ).one()
        drawn, signed = new_blob(session, pdf_bytes()), new_blob(session, pdf_bytes() + b"\n")
        session.flush()
        agreement.kind, agreement.state = "convention", "signed_by_holder"
        agreement.blob_id, agreement.signed_blob_id = drawn.id, signed.id
        session.add(agreement)
        session.flush()
        ids["dep_convention"] = agreement.id or 0
    # A supporting document joined to the decided file's final report (its download's object).
    import io

    from engine.services.report_documents import add_report_document

    joined = add_report_document(
        api.db, people["asso"], ids["decided"], "facture.pdf", io.BytesIO(pdf_bytes()), api.settings
    )
    ids["report_document"] = joined.id or 0
    # An account and a funder the administrator's routes edit, deactivate and reactivate.
    from engine.services.accounts import create_user

    spare = create_user(
        api.db, "spare", "a spare password 2027", "chair", email="spare@example.org"
    )
    ids["spare_user"] = spare.id or 0
    # Two documents kept in asso's profile ("Mon organisation": the API's routes, the page's).
    for name, kind in (("profile_document", "rib"), ("profile_page_document", "approved_accounts")):
        kept = api.post(
            "asso",
            "/organisations/me/documents",
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", pdf_bytes(), "application/pdf")},
        )
        ids[name] = next(d["id"] for d in api.ok(kept, 201)["documents"] if d["kind"] == kind)
    return world


@pytest.fixture
def api(seeded: Any, db: Database, settings: Settings) -> Api:
    return Api(seeded, db, settings)


@pytest.fixture
def world(api: Api) -> World:
    return build_world(api)


def data_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.data_dir.rglob("*") if p.is_file())


def settled_and_closed(api: Any, call: int) -> None:
    """Two files granted by the CAF alone and notified, their final report approved (settled);
    the second with every payment made (closed)."""
    files = [api.eligible(call, title=f"ASSO-{name}")["id"] for name in ("SETTLED", "CLOSED")]
    held = api.open_session(call, files)["id"]
    for application_id in files:
        api.ok(api.decide(held, application_id, "caf", "granted", "1000.00"), 201)
        for funder in ("departement", "msa", "etat"):
            api.ok(api.decide(held, application_id, funder, "refused"), 201)
    api.move(held, "close")
    report = {
        "actual_total_cost": "90000.00",
        "actual_other_resources": "0.00",
        "lines": [
            {"label": "Animation", "kind": "charge", "forecast": "90000.00", "actual": "90000.00"}
        ],
        "activity": {"parents": 10, "children": 10, "sessions": 5},
        "narrative": "Action menée comme prévu.",
    }
    for application_id in files:
        path = f"/applications/{application_id}/report"
        api.ok(api.put("asso", path, json=report))
        api.ok(api.post("asso", f"{path}/submit"))
        review = {"funder": "caf", "outcome": "approved"}
        api.ok(api.post("caf1", f"{path}/reviews", json=review))
    funding = api.ok(api.get("chair", f"/applications/{files[1]}/funding"))
    for payment in funding["payments"]:
        if payment["state"] == "scheduled":
            order = {"reference": "MDT-1"}
            api.ok(api.post("caf1", f"/payments/{payment['id']}/order", json=order))
            paid = {"paid_on": "2026-11-30"}
            api.ok(api.post("caf1", f"/payments/{payment['id']}/pay", json=paid))
    states = [api.application(application_id)["state"] for application_id in files]
    assert states == ["settled", "closed"], states
