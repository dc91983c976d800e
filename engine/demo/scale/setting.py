"""The generator's setting: funders, users, holders, calls, sessions and events."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel

from engine import clock
from engine.demo.people import FUNDERS
from engine.demo.scale.plan import ScalePlan, ScaleSummary
from engine.demo.scale.records import _Call, _paris, _People, _Session
from engine.demo.scale.templates import (
    DOMAIN,
    KINDS,
    LOCATION,
    PAST_CAMPAIGNS,
    SCHEME_WEIGHTS,
    SIRET,
    TOWNS,
)
from engine.demo.scale.writer import _EMPTY, Writer
from engine.rulebook import FunderConfig


class SettingRows:
    """The generator's state, and the rows every application hangs from."""

    def __init__(self, writer: Writer, plan: ScalePlan, today: datetime, department: str) -> None:
        self.w = writer
        self.plan = plan
        self.today = today
        self.department = department
        self.rng = random.Random(plan.seed)
        self.summary = ScaleSummary()
        self.configs: dict[str, FunderConfig] = {}
        self.usernames: set[str] = set()
        self.asked: dict[tuple[int, int], Decimal] = {}  # (call, funder) -> sum of requests

    # people and calls -----------------------------------------------------------------------

    def people(self, password_hash: str) -> _People:
        conn = self.w.connection
        funder_table = SQLModel.metadata.tables["funders"]
        existing = {row.code: row for row in conn.execute(select(funder_table)).all()}
        funders: dict[str, int] = {}
        for demo in FUNDERS:
            row = existing.get(demo.code)
            if row is not None:
                funders[demo.code] = row.id
                self.configs[demo.code] = FunderConfig(demo.code, row.kind, row.name, row.insee)
                continue
            fid = self.w.new_id("funders")
            funders[demo.code] = fid
            self.configs[demo.code] = FunderConfig(demo.code, demo.kind, demo.name, demo.insee)
            self.w.add(
                "funders",
                {
                    "id": fid,
                    "code": demo.code,
                    "name": demo.name,
                    "kind": demo.kind,
                    "insee": demo.insee,
                    "email": f"{demo.code}@{DOMAIN}",
                    "advance_rate": None,
                    "siret": demo.siret,
                },
            )
        user_table = SQLModel.metadata.tables["users"]
        self.usernames = set(conn.execute(select(user_table.c.username)).scalars())
        chair, self.summary.chair = self.user(password_hash, "scale-chair", "chair")
        members: dict[str, list[int]] = {}
        for code, fid in funders.items():
            members[code] = []
            for number in (1, 2):
                uid, username = self.user(
                    password_hash, f"scale-{code}-{number}", "funder", funder_id=fid
                )
                members[code].append(uid)
                self.summary.funder_users.setdefault(code, username)
        plan = self.plan
        total = plan.applications + plan.ready_sessions * plan.ready_size
        count = plan.organisations or max(10, total // 10)
        holders = [self.holder(password_hash, index)[:2] for index in range(count)]
        draft_holders = []
        for index in range(plan.draft_holders if plan.drafts else 0):
            organisation, uid, username = self.holder(password_hash, count + index)
            draft_holders.append((organisation, uid))
            self.summary.draft_holders.append(username)
        return _People(chair, funders, members, holders, draft_holders)

    def user(
        self,
        password_hash: str,
        username: str,
        role: str,
        *,
        name: str | None = None,
        organisation_id: int | None = None,
        funder_id: int | None = None,
    ) -> tuple[int, str]:
        uid = self.w.new_id("users")
        if username in self.usernames:
            username = f"{username}-{uid}"
        self.usernames.add(username)
        self.w.add(
            "users",
            {
                "id": uid,
                "username": username,
                "name": name or username,
                "email": f"{username}@{DOMAIN}",
                "password_hash": password_hash,
                "role": role,
                "organisation_id": organisation_id,
                "funder_id": funder_id,
                "active": True,
                "token_generation": 0,
            },
        )
        return uid, username

    def holder(self, password_hash: str, index: int) -> tuple[int, int, str]:
        oid = self.w.new_id("organisations")
        insee, town = TOWNS[index % len(TOWNS)]
        name = f"{KINDS[index % len(KINDS)]} de {town} n° {oid}"
        self.w.add(
            "organisations",
            {
                "id": oid,
                "name": name,
                "siret": SIRET,
                "address": f"{1 + index % 90} rue de la République, {insee} {town}",
                "email": f"contact-{oid}@{DOMAIN}",
            },
        )
        uid, username = self.user(
            password_hash, f"scale-holder-{oid}", "applicant", name=name, organisation_id=oid
        )
        return oid, uid, username

    def calls(self, funders: dict[str, int]) -> tuple[dict[tuple[str, int], _Call], int]:
        today = clock.paris_date(self.today)
        current = today.year if today.month >= 9 else today.year - 1
        result: dict[tuple[str, int], _Call] = {}
        campaigns = [current - k for k in range(PAST_CAMPAIGNS, 0, -1)]
        for campaign in [*campaigns, current]:
            is_open = campaign == current
            for scheme in SCHEME_WEIGHTS:
                cid = self.w.new_id("calls")
                if is_open:
                    opens = _paris(today - timedelta(days=45), 9)
                    closes = _paris(today + timedelta(days=40), 23, 59)
                else:
                    opens = _paris(date(campaign, 9, 1), 9)
                    closes = _paris(date(campaign, 11, 30), 23, 59)
                call = _Call(cid, scheme, campaign, opens, closes, is_open)
                result[(scheme, campaign)] = call
                self.w.add(
                    "calls",
                    {
                        "id": cid,
                        "scheme": scheme,
                        "title": f"{scheme} {campaign}-{campaign + 1} (jeu de données n° {cid})",
                        "opens_at": opens,
                        "closes_at": closes,
                        "state": "open" if is_open else "closed",
                        "version": 2 if is_open else 3,
                    },
                )
                self._event("call", cid, None, None, "create", None, "draft", opens)
                self._event("call", cid, None, None, "open", "draft", "open", opens)
                if not is_open:
                    self._event("call", cid, None, None, "close", "open", "closed", closes)
                if is_open:
                    self.summary.open_calls[scheme] = cid
        return result, current

    def submission_days(self, current: int) -> dict[int, list[date]]:
        today = clock.paris_date(self.today)
        days = {
            campaign: [date(campaign, m, d) for m, d in ((10, 10), (10, 25), (11, 10), (11, 25))]
            for campaign in range(current - PAST_CAMPAIGNS, current)
        }
        days[current] = [today - timedelta(days=n) for n in (30, 14, 7, 2)]
        return days

    # rows ----------------------------------------------------------------------------------

    def _event(
        self,
        entity: str,
        entity_id: int,
        application_id: int | None,
        actor_id: int | None,
        action: str,
        from_state: str | None,
        to_state: str | None,
        at: datetime,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.w.add(
            "events",
            {
                "id": self.w.new_id("events"),
                "entity": entity,
                "entity_id": entity_id,
                "application_id": application_id,
                "actor_id": actor_id,
                "action": action,
                "from_state": from_state,
                "to_state": to_state,
                "reason": None,
                "data": data if data is not None else _EMPTY,
                "created_at": at,
            },
        )

    def session(
        self, call: _Call, state: str, starts_at: datetime, number: int, people: _People
    ) -> _Session:
        sid = self.w.new_id("sessions")
        created = starts_at - timedelta(days=30)
        closed = starts_at + timedelta(hours=3) if state == "closed" else None
        self.w.add(
            "sessions",
            {
                "id": sid,
                "call_id": call.id,
                "title": f"Comité des financeurs {call.scheme} — séance n° {number}",
                "starts_at": starts_at,
                "location": LOCATION,
                "state": state,
                "version": {"planned": 2, "convened": 3, "open": 4, "closed": 5}[state],
                "closed_at": closed,
            },
        )
        chair = people.chair
        self._event("session", sid, None, chair, "create", None, "planned", created)
        self._event("session", sid, None, chair, "set_agenda", None, None, created)
        steps = [("convene", "planned", "convened"), ("open", "convened", "open")]
        steps.append(("close", "open", "closed"))
        order = ["planned", "convened", "open", "closed"]
        for action, source, dest in steps[: order.index(state)]:
            moment = created + timedelta(days=1) if action == "convene" else starts_at
            self._event("session", sid, None, chair, action, source, dest, moment)
        return _Session(sid, call, state, starts_at, created)
