"""Who has an account: the administrator's list of users, with their organisation or funder."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from engine.access import Actor, require_role
from engine.db import Database
from engine.models import Funder, Organisation, User


def list_users(db: Database, actor: Actor) -> list[dict[str, Any]]:
    require_role(actor, "admin")
    with db.reading() as session:
        funders = {f.id: f.name for f in session.exec(select(Funder))}
        organisations = {o.id: o.name for o in session.exec(select(Organisation))}
        users = session.exec(select(User).order_by(col(User.username)))
        return [
            {
                "id": u.id,
                "username": u.username,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "active": u.active,
                "funder": funders.get(u.funder_id) if u.funder_id else None,
                "organisation": organisations.get(u.organisation_id) if u.organisation_id else None,
            }
            for u in users
        ]
