"""`cofinance demo --scale N`: a national-scale data set, inserted in bulk, for benchmarks.

N applications (4 shares each, 20 events each on average) spread over the seven schemes, four
past campaigns (calls closed, files decided in closed sessions and notified) and the current one
(calls open: drafts, submitted files, files on the agenda of planned sessions). Rows go in with
SQLAlchemy Core `insert()` in batches (executemany) on SQLite and with `COPY` on PostgreSQL, in
one transaction: nothing is left half-loaded.

The facts and stored rule results come from a pool of applications evaluated once by the real
rule engine (every scheme and campaign, several budgets, some ineligible or incomplete ones), so
that every file, share and event is one the workflow could have produced. What the generator does
not write: file contents (documents exist as rows without a blob, letters not at all), outbox
rows and in-app notifications. Every generated user has the password `SCALE_PASSWORD`.

Benchmarks also ask for drafts ready to submit (`ScalePlan.drafts`, owned by a few holders) and
for open sessions whose every share is decided, ready to close (`ScalePlan.ready_sessions`).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Connection, Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from engine import clock
from engine.db import Database
from engine.demo.people import FUNDERS
from engine.rulebook import FunderConfig, default_registry, evaluate
from engine.rulebook.application import parse_application
from engine.rulebook.evaluate import Evaluation
from engine.settings import Settings

__all__ = ["SCALE_PASSWORD", "ScalePlan", "ScaleSummary", "generate", "load"]

SCALE_PASSWORD = "scale-password-2026"
DOMAIN = "scale.cofinance.fr"
PAST_CAMPAIGNS = 4
TEMPLATE_CAMPAIGN = 2024  # the campaign the templates below are written for
ALL_DOCUMENTS = (
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
)
BASIC_DOCUMENTS = ("cerfa_12156", "rib", "budget")
# Shares of the schemes in the national figures (FACTS §5: Reaap 8 300 actions, Clas 4 300 …).
SCHEME_WEIGHTS = {
    "reaap": 50,
    "clas": 26,
    "laep": 11,
    "mediation_familiale": 3,
    "espace_rencontre": 3,
    "pif": 4,
    "parrainage": 3,
}
PAST_STATES = {"notified": 84, "refused": 5, "withdrawn": 4, "incomplete": 4, "draft": 3}
CURRENT_STATES = {
    "draft": 25,
    "eligible": 32,
    "scheduled": 25,
    "incomplete": 6,
    "ineligible": 6,
    "withdrawn": 6,
}
TOWNS = (
    ("38185", "Grenoble"),
    ("38151", "Échirolles"),
    ("38421", "Saint-Martin-d'Hères"),
    ("38563", "Voiron"),
    ("38544", "Vienne"),
    ("38053", "Bourgoin-Jallieu"),
)
KINDS = ("Association", "Centre social", "Maison des familles", "Espace de vie sociale")
SIRET = "78778932087925"
RNA = "W381000123"
FACTS: dict[str, dict[str, Any]] = {
    "reaap": {
        "children_max_age": 18,
        "open_to_all": True,
        "modality": "parent_exchange",
        "therapeutic": False,
        "parents_involved": True,
        "fee_per_session": "2.00",
        "commercial": False,
        "reaap_charter_signed": True,
        "laicite_charter_accepted": True,
        "staff_cost_share": "0.6",
    },
    "clas": {
        "outside_school_time": True,
        "axes": ["children", "parents", "school", "local_partners"],
        "homework_help_only": False,
        "orientation_agreed": True,
        "qpv": True,
        "groups": [],
    },
    "mediation_familiale": {
        "manager_kind": "association",
        "main_field": "family",
        "mediators": [{"etp": "1.0", "demf": True}, {"etp": "0.5", "demf": True}],
        "practice_analysis": True,
        "national_scale_applied": True,
        "extrajudicial_share": "0.6",
        "family_participations": "9000.00",
    },
    "espace_rencontre": {
        "approval_valid_until": "2027-06-30",
        "max_fee_per_visit": "2.00",
        "free_access_guaranteed": True,
        "confidentiality": True,
    },
    "laep": {
        "children_max_age": 5,
        "free_access": True,
        "anonymous": True,
        "hosts_per_session": 2,
        "listed_on_monenfant": True,
    },
    "pif": {},
    "parrainage": {},
}
# scheme: (period start, period end, other resources, requests by funder kind), campaign 2024.
BUDGETS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "reaap": (
        "2025-02-01",
        "2025-12-15",
        "3000.00",
        {"caf": "5000.00", "departement": "2000.00", "msa": "1000.00", "commune": "1000.00"},
    ),
    "clas": (
        "2024-09-16",
        "2025-06-27",
        "9000.00",
        {"caf": "7800.00", "etat": "4000.00", "msa": "1200.00", "commune": "2000.00"},
    ),
    "mediation_familiale": (
        "2025-01-01",
        "2025-12-31",
        "40000.00",
        {"caf": "76000.00", "etat": "2000.00", "msa": "3000.00", "commune": "5000.00"},
    ),
    "espace_rencontre": (
        "2025-01-06",
        "2025-12-19",
        "10000.00",
        {"caf": "24000.00", "etat": "1000.00", "departement": "3000.00", "commune": "2000.00"},
    ),
    "laep": (
        "2025-01-06",
        "2025-12-19",
        "15000.00",
        {"caf": "9000.00", "etat": "2000.00", "msa": "1000.00", "commune": "3000.00"},
    ),
    "pif": (
        "2025-01-01",
        "2025-12-31",
        "8000.00",
        {"caf": "5000.00", "departement": "3000.00", "msa": "1000.00", "commune": "3000.00"},
    ),
    "parrainage": (
        "2025-01-01",
        "2025-12-31",
        "5000.00",
        {"caf": "5000.00", "etat": "2000.00", "msa": "1000.00", "commune": "2000.00"},
    ),
}
TITLES: dict[str, tuple[str, ...]] = {
    "reaap": ("Café des parents", "Groupe de parole de parents", "Ateliers parents-enfants"),
    "clas": ("Accompagnement à la scolarité", "Coup de pouce collège", "Clas élémentaire"),
    "mediation_familiale": ("Service de médiation familiale",),
    "espace_rencontre": ("Espace de rencontre parents-enfants",),
    "laep": ("Lieu d'accueil enfants-parents",),
    "pif": ("Point info familles",),
    "parrainage": ("Parrainage de proximité",),
}
FACTORS = (Decimal("0.6"), Decimal("0.8"), Decimal("1"), Decimal("1.3"))
LOCATION = "Salle du conseil"


@dataclass(frozen=True)
class ScalePlan:
    """How much to generate. `applications` excludes the benchmark extras below it."""

    applications: int
    events_per_application: int = 20
    agenda_size: int = 80
    organisations: int | None = None  # default: one holder for ten applications
    drafts: int = 0  # drafts with all their documents, in the open calls, ready to submit
    draft_holders: int = 20  # …owned by this many holders (benchmarks log each one in)
    ready_sessions: int = 0  # open sessions, every share decided, ready to close
    ready_size: int = 500  # files on each of them (Reaap, four funders each)
    seed: int = 20261127
    batch: int = 20000  # rows buffered before a write (executemany or COPY)


@dataclass
class ScaleSummary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    open_calls: dict[str, int] = field(default_factory=dict)
    drafts: list[int] = field(default_factory=list)
    draft_holders: list[str] = field(default_factory=list)
    ready_sessions: list[int] = field(default_factory=list)
    planned_sessions: list[int] = field(default_factory=list)
    closed_sessions: list[int] = field(default_factory=list)
    funder_users: dict[str, str] = field(default_factory=dict)
    chair: str = ""
    password: str = SCALE_PASSWORD


# -- the pool of evaluated applications ---------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One application body, evaluated at one submission date, stored as the services store it."""

    scheme: str
    data: dict[str, Any]
    documents: tuple[str, ...]
    submitted_on: date
    result: Evaluation
    stored: dict[str, Any]  # result.as_json()

    @property
    def status(self) -> str:
        return self.result.status


def _shift(day: str, years: int) -> str:
    value = date.fromisoformat(day)
    return value.replace(year=value.year + years).isoformat()


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _body(
    scheme: str, campaign: int, factor: Decimal, codes: dict[str, str], investment: bool
) -> dict[str, Any]:
    years = campaign - TEMPLATE_CAMPAIGN
    start, end, other, requests = BUDGETS[scheme]
    facts = json.loads(json.dumps(FACTS[scheme]))
    if scheme == "clas":
        facts["groups"] = [
            {
                "children": 10 + index,
                "intervenants": 2,
                "cost": str(_cents(Decimal("6000") * factor)),
                "levels": ["CM1", "CM2"],
            }
            for index in range(4)
        ]
    if scheme == "espace_rencontre":
        facts["approval_valid_until"] = _shift(facts["approval_valid_until"], years)
    asked = {codes[kind]: _cents(Decimal(amount) * factor) for kind, amount in requests.items()}
    resources = _cents(Decimal(other) * factor)
    return {
        "holder": {"kind": "association", "siret": SIRET, "rna": RNA, "cer_signed": True},
        "renewal": True,
        "previous_report_filed": True,
        "territory": ["38185", "38151", "38421"],
        "period": {"start": _shift(start, years), "end": _shift(end, years)},
        "budget": {
            "total_cost": str(resources + sum(asked.values(), Decimal(0))),
            "investment_costs": "150.00" if investment else "0",
            "other_resources": str(resources),
        },
        "requests": {code: str(amount) for code, amount in asked.items()},
        "facts": facts,
    }


class Pool:
    """Evaluated variants by (scheme, campaign, status), evaluated when first asked for."""

    def __init__(
        self,
        campaigns: dict[int, list[date]],
        funders: dict[str, FunderConfig],
        codes: dict[str, str],
        department: str,
        shared: Callable[[Any], Any],
    ) -> None:
        self.campaigns = campaigns
        self.funders = funders
        self.codes = codes
        self.department = department
        self.shared = shared
        self.built: set[tuple[str, int]] = set()
        self.variants: dict[tuple[str, int, str], list[Variant]] = {}

    def _build(self, scheme: str, campaign: int) -> None:
        self.built.add((scheme, campaign))
        registry = default_registry()
        facts_model = registry.schemes[scheme].facts
        days = self.campaigns[campaign]
        kinds: list[tuple[Decimal, bool, tuple[str, ...], date]] = [
            (factor, False, ALL_DOCUMENTS, day) for factor in FACTORS for day in days
        ]
        kinds.append((Decimal("1"), True, ALL_DOCUMENTS, days[0]))
        kinds.append((Decimal("0.8"), False, BASIC_DOCUMENTS, days[-1]))
        for factor, investment, documents, day in kinds:
            raw = _body(scheme, campaign, factor, self.codes, investment)
            parsed, facts = parse_application({**raw, "documents": []}, facts_model)
            data = parsed.model_dump(mode="json", exclude={"documents"})
            data["facts"] = facts.model_dump(mode="json")
            result = evaluate(
                registry,
                scheme,
                {**data, "documents": list(documents)},
                day,
                self.department,
                self.funders,
            )
            stored = result.as_json()
            variant = Variant(
                scheme, self.shared(data), documents, day, result, self.shared(stored)
            )
            self.variants.setdefault((scheme, campaign, result.status), []).append(variant)

    def pick(self, rng: random.Random, scheme: str, campaign: int, status: str) -> Variant:
        if (scheme, campaign) not in self.built:
            self._build(scheme, campaign)
        choices = self.variants.get((scheme, campaign, status))
        if not choices:
            raise RuntimeError(
                f"no {status} {scheme} application in the scale templates for {campaign}: "
                "they are written for département 38 (Isère)"
            )
        return rng.choice(choices)


# -- bulk writing -------------------------------------------------------------------------------


def _tables() -> dict[str, Table]:
    return dict(SQLModel.metadata.tables)


class Writer:
    """Buffers rows per table and writes them in batches: COPY on PostgreSQL, else executemany.

    Rows are dicts of Python values; JSON columns hold Python objects (dumped once for the
    objects registered with `shared`).
    """

    ORDER = (
        "organisations",
        "funders",
        "users",
        "calls",
        "call_envelopes",
        "sessions",
        "applications",
        "shares",
        "documents",
        "agenda_items",
        "events",
    )

    def __init__(self, connection: Connection, batch: int) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.batch = batch
        self.tables = _tables()
        self.buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in self.ORDER}
        self.counts: dict[str, int] = dict.fromkeys(self.ORDER, 0)
        self.next_ids: dict[str, int] = {}
        self.pending = 0
        self._json: dict[int, str] = {}
        self._keep: list[Any] = []
        if self.postgres:
            # Nobody else inserts while the ids below are handed out; released at commit.
            names = ", ".join(self.ORDER)
            connection.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
            try:
                with connection.begin_nested():
                    # Faster than pglz for the large JSON values (PostgreSQL 14+ built with lz4).
                    connection.execute(text("SET LOCAL default_toast_compression = lz4"))
            except DBAPIError:
                pass
        for value in (_EMPTY, _EMPTY_LIST, _CHANGED):
            self.shared(value)
        for name in self.ORDER:
            table = self.tables[name]
            top = connection.execute(select(func.max(table.c.id))).scalar()
            self.next_ids[name] = (top or 0) + 1

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def shared(self, value: Any) -> Any:
        """A JSON value referenced by many rows: serialised once on PostgreSQL."""
        if self.postgres and id(value) not in self._json:
            self._json[id(value)] = json.dumps(value)
            self._keep.append(value)
        return value

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.buffers[table].append(row)
        self.counts[table] += 1
        self.pending += 1

    def maybe_flush(self) -> None:
        """Called between whole applications, so that every row written has its parents."""
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        for name in self.ORDER:
            self._write(name)
        self.pending = 0

    def _write(self, name: str) -> None:
        rows = self.buffers[name]
        if not rows:
            return
        self.buffers[name] = []
        table = self.tables[name]
        if not self.postgres:
            self.connection.execute(insert(table), rows)
            return
        columns = [c.name for c in table.columns]
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        # COPY takes no column default: a column the generator does not set (a later migration's,
        # such as `funders.active`) gets its model default, as an INSERT would.
        defaults = {
            c.name: getattr(c.default, "arg", None)
            for c in table.columns
            if c.default is not None and c.default.is_scalar
        }
        raw = self.connection.connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        self._dump(row.get(c))
                        if c in json_columns
                        else row.get(c, defaults.get(c))
                        for c in columns
                    ]
                )

    def _dump(self, value: Any) -> str | None:
        if value is None:
            return None
        cached = self._json.get(id(value))
        return cached if cached is not None else json.dumps(value)

    def finish(self) -> None:
        self.flush()
        if self.postgres:
            for name in self.ORDER:
                self.connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                    )
                )


# -- the generator ------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.PARIS).astimezone(UTC)


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Call:
    id: int
    scheme: str
    campaign: int
    opens_at: datetime
    closes_at: datetime
    open: bool


@dataclass
class _Session:
    id: int
    call: _Call
    state: str
    starts_at: datetime
    created_at: datetime


@dataclass
class _People:
    chair: int
    funders: dict[str, int]  # code -> funder id
    members: dict[str, list[int]]  # code -> user ids
    holders: list[tuple[int, int]]  # (organisation id, user id)
    draft_holders: list[tuple[int, int]]


class Generator:
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

    def application(
        self,
        call: _Call,
        variant: Variant,
        state: str,
        holder: tuple[int, int],
        people: _People,
        meeting: _Session | None = None,
        position: int = 0,
    ) -> int:
        """One application in `state` with its shares, documents, agenda item and events."""
        w = self.w
        aid = w.new_id("applications")
        organisation, author = holder
        submitted_day = variant.submitted_on
        submitted_at = _paris(submitted_day, 9 + self.rng.randrange(9), self.rng.randrange(60))
        created = submitted_at - timedelta(days=3 + self.rng.randrange(20))
        result = variant.result
        events: list[tuple[Any, ...]] = []  # (entity, entity_id, actor, action, from, to, at, data)
        submitted = state != "draft"
        status = result.status if submitted else None
        scheme = variant.scheme
        reference = f"{scheme.upper()}-{submitted_at.year}-{aid:05d}" if submitted else None
        title = f"{self.rng.choice(TITLES[scheme])} — {call.campaign + 1} (n° {aid})"

        events.append(("application", aid, author, "create", None, "draft", created, None))
        for kind in variant.documents:
            did = w.new_id("documents")
            size = 20_000 + self.rng.randrange(2_000_000)
            w.add(
                "documents",
                {
                    "id": did,
                    "application_id": aid,
                    "kind": kind,
                    "filename": f"{kind}.pdf",
                    "content_type": "application/pdf",
                    "size": size,
                    "sha256": f"{self.rng.getrandbits(256):064x}",
                    "uploaded_by": author,
                    "created_at": created + timedelta(hours=1),
                },
            )
            data = {"document": did, "kind": kind, "size": size}
            at = created + timedelta(hours=1)
            events.append(("application", aid, author, "add_document", None, None, at, data))
        app_state = "draft"
        version = 1
        if submitted:
            data = {"status": status, "failed": result.failed}
            events.append(
                ("application", aid, author, "submit", "draft", status, submitted_at, data)
            )
            app_state = str(status)
            version += 1
        # shares, in the order of the requests
        decided_at = meeting.starts_at + timedelta(hours=1) if meeting else None
        share_rows = []
        for code, requested in _requests(variant.data["requests"]):
            outcome = result.shares[code]
            sid = w.new_id("shares")
            row: dict[str, Any] = {
                "id": sid,
                "application_id": aid,
                "funder_id": people.funders[code],
                "state": "requested",
                "version": 1,
                "requested": requested,
                "proposed": None,
                "granted": None,
                "eligible": None,
                "failed": _EMPTY_LIST,
                "explanation": None,
                "comment": None,
                "conditions": None,
                "session_id": None,
                "decided_by": None,
                "decided_at": None,
            }
            if submitted:
                row["eligible"] = outcome.eligible
                row["failed"] = list(outcome.failed) or _EMPTY_LIST
                row["explanation"] = outcome.message
                if status == "eligible" and outcome.eligible and outcome.amount is not None:
                    row["state"], row["proposed"], row["version"] = "proposed", outcome.amount, 2
                    data = {"amount": str(outcome.amount), "by": "rules"}
                    events.append(
                        ("share", sid, None, "propose", "requested", "proposed", submitted_at, data)
                    )
            share_rows.append((code, row))
            key = (call.id, row["funder_id"])
            self.asked[key] = self.asked.get(key, Decimal(0)) + requested
        if state == "withdrawn":
            at = submitted_at + timedelta(days=5)
            events.append(
                ("application", aid, author, "withdraw", app_state, "withdrawn", at, None)
            )
            app_state = "withdrawn"
            version += 1
        if meeting is not None:
            w.add(
                "agenda_items",
                {
                    "id": w.new_id("agenda_items"),
                    "session_id": meeting.id,
                    "application_id": aid,
                    "position": position,
                },
            )
            data = {"session": meeting.id}
            at = meeting.created_at
            events.append(
                ("application", aid, people.chair, "schedule", app_state, "scheduled", at, data)
            )
            app_state = "scheduled"
            version += 1
            if meeting.state in ("open", "closed"):
                assert decided_at is not None
                self._decide(status, result.failed, share_rows, meeting, decided_at, people, events)
            if meeting.state == "closed":
                closed_at = meeting.starts_at + timedelta(hours=3)
                data = {"session": meeting.id}
                events.append(
                    ("application", aid, None, "decide", "scheduled", "decided", closed_at, data)
                )
                app_state = "decided"
                version += 1
                if state in ("notified", "refused"):
                    at = closed_at + timedelta(minutes=20)
                    events.append(
                        ("application", aid, None, "notify", "decided", "notified", at, None)
                    )
                    app_state = "notified"
                    version += 1
        for _, row in share_rows:
            w.add("shares", row)
        w.add(
            "applications",
            {
                "id": aid,
                "reference": reference,
                "call_id": call.id,
                "organisation_id": organisation,
                "created_by": author,
                "title": title,
                "state": app_state,
                "version": version,
                "data": variant.data,
                "eligibility": status,
                "result": variant.stored if submitted else None,
                "reference_date": result.reference_date if submitted else None,
                "override_reason": None,
                "created_at": created,
                "submitted_at": submitted_at if submitted else None,
            },
        )
        padding = self.plan.events_per_application - len(events)
        at = created + timedelta(minutes=30)
        for _ in range(max(0, padding)):
            events.insert(1, ("application", aid, author, "update", None, None, at, _CHANGED))
        for entity, entity_id, actor, action, source, dest, moment, data in events:
            self._event(entity, entity_id, aid, actor, action, source, dest, moment, data)
        return aid

    def _decide(
        self,
        status: str | None,
        failed: list[str],
        share_rows: list[tuple[str, dict[str, Any]]],
        meeting: _Session,
        decided_at: datetime,
        people: _People,
        events: list[tuple[Any, ...]],
    ) -> None:
        """Each funder decides its share in session (ineligible files: refused at close)."""
        for code, row in share_rows:
            source = row["state"]
            if status != "eligible":
                if meeting.state == "closed":
                    closed_at = meeting.starts_at + timedelta(hours=3)
                    row.update(state="refused", session_id=meeting.id)
                    row["version"] += 1
                    data = {"session": meeting.id, "failed": failed}
                    events.append(
                        (
                            "share",
                            row["id"],
                            None,
                            "refuse_ineligible",
                            source,
                            "refused",
                            closed_at,
                            data,
                        )
                    )
                continue
            member = people.members[code][0]
            refuse = row["eligible"] is False or self.rng.random() < 0.08
            amount = None if refuse else (row["proposed"] or row["requested"])
            row.update(
                state="refused" if refuse else "granted",
                granted=amount,
                session_id=meeting.id,
                decided_by=member,
                decided_at=decided_at,
            )
            row["version"] += 1
            data = {
                "session": meeting.id,
                "amount": None if amount is None else str(amount),
                "conditions": None,
            }
            action = "refuse" if refuse else "grant"
            events.append(
                ("share", row["id"], member, action, source, row["state"], decided_at, data)
            )

    def envelopes(self, calls: dict[tuple[str, int], _Call], funders: dict[str, int]) -> None:
        """Each funder's envelope: about 85 % of what the call's files ask of it."""
        for call in calls.values():
            for fid in funders.values():
                asked = self.asked.get((call.id, fid), Decimal(0))
                envelope = max(Decimal(1000), (asked * Decimal("0.85") / 1000).quantize(1) * 1000)
                self.w.add(
                    "call_envelopes",
                    {
                        "id": self.w.new_id("call_envelopes"),
                        "call_id": call.id,
                        "funder_id": fid,
                        "envelope": envelope.quantize(Decimal("0.01")),
                    },
                )

    # the whole data set ------------------------------------------------------------------------

    def run(self, password_hash: str) -> ScaleSummary:
        people = self.people(password_hash)
        calls, current = self.calls(people.funders)
        codes = {config.kind: code for code, config in self.configs.items()}
        days = self.submission_days(current)
        pool = Pool(days, self.configs, codes, self.department, self.w.shared)
        plan = self.plan
        past = round(plan.applications * 0.8)
        schemes = _weighted(self.rng, SCHEME_WEIGHTS, plan.applications)
        states = _weighted(self.rng, PAST_STATES, past)
        states += _weighted(self.rng, CURRENT_STATES, plan.applications - past)
        campaigns = [
            current - 1 - (index % PAST_CAMPAIGNS) if index < past else current
            for index in range(plan.applications)
        ]
        # Files examined in a session, grouped by call: sessions of `agenda_size` files.
        in_session: dict[tuple[str, int], list[int]] = {}
        for index in range(plan.applications):
            if states[index] in ("notified", "refused", "scheduled"):
                in_session.setdefault((schemes[index], campaigns[index]), []).append(index)
        meetings: dict[int, tuple[_Session, int]] = {}
        for (scheme, campaign), indexes in sorted(in_session.items()):
            call = calls[(scheme, campaign)]
            for number, chunk in enumerate(_chunks(indexes, plan.agenda_size), start=1):
                if call.open:
                    starts = _paris(clock.paris_date(self.today) + timedelta(days=30 + number), 14)
                    meeting = self.session(call, "planned", starts, number, people)
                    self.summary.planned_sessions.append(meeting.id)
                else:
                    day = date(campaign + 1, 1, 10) + timedelta(days=7 * number)
                    meeting = self.session(call, "closed", _paris(day, 14), number, people)
                    self.summary.closed_sessions.append(meeting.id)
                for position, index in enumerate(chunk):
                    meetings[index] = (meeting, position)
        for index in range(plan.applications):
            scheme, campaign, state = schemes[index], campaigns[index], states[index]
            status = {
                "refused": "ineligible",
                "incomplete": "incomplete",
                "ineligible": "ineligible",
            }.get(state, "eligible")
            variant = pool.pick(self.rng, scheme, campaign, status)
            holder = people.holders[index % len(people.holders)]
            slot = meetings.get(index)
            self.application(
                calls[(scheme, campaign)],
                variant,
                state,
                holder,
                people,
                slot[0] if slot else None,
                slot[1] if slot else 0,
            )
            self.w.maybe_flush()
        for index in range(plan.drafts):
            scheme = _weighted(self.rng, SCHEME_WEIGHTS, 1)[0]
            variant = pool.pick(self.rng, scheme, current, "eligible")
            holder = people.draft_holders[index % len(people.draft_holders)]
            aid = self.application(calls[(scheme, current)], variant, "draft", holder, people)
            self.summary.drafts.append(aid)
            self.w.maybe_flush()
        call = calls[("reaap", current)]
        for number in range(plan.ready_sessions):
            starts = _paris(clock.paris_date(self.today), 9)
            meeting = self.session(call, "open", starts, 100 + number, people)
            self.summary.ready_sessions.append(meeting.id)
            for position in range(plan.ready_size):
                status = "ineligible" if self.rng.random() < 0.05 else "eligible"
                variant = pool.pick(self.rng, "reaap", current, status)
                holder = people.holders[self.rng.randrange(len(people.holders))]
                self.application(call, variant, "scheduled", holder, people, meeting, position)
                self.w.maybe_flush()
        self.envelopes(calls, people.funders)
        self.w.finish()
        self.summary.rows = dict(self.w.counts)
        return self.summary


_EMPTY: dict[str, Any] = {}
_EMPTY_LIST: list[str] = []
_CHANGED: dict[str, Any] = {"changed": ["application"]}


def _requests(requests: dict[str, str]) -> Iterable[tuple[str, Decimal]]:
    return ((code, Decimal(amount)) for code, amount in requests.items())


def generate(
    db: Database, plan: ScalePlan, settings: Settings, today: datetime | None = None
) -> ScaleSummary:
    """Insert the data set described by `plan` into a migrated database, in one transaction."""
    from engine.services.accounts import hash_password

    started = time.perf_counter()
    password_hash = hash_password(SCALE_PASSWORD)
    with db.engine.begin() as connection:
        writer = Writer(connection, plan.batch)
        generator = Generator(writer, plan, today or clock.now(), settings.department)
        summary = generator.run(password_hash)
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics (or the planner still sees the tables as they were before the load)
        # and the visibility map that index-only scans need: the state autovacuum reaches.
        autocommit = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as connection:
            for name in Writer.ORDER:
                connection.execute(text(f"VACUUM ANALYZE {name}"))
    summary.seconds = time.perf_counter() - started
    return summary


def load(settings: Settings, applications: int) -> list[str]:
    """`cofinance demo --scale N`: migrate, generate, return the lines to print."""
    from engine.db import get_database
    from engine.migrations import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    summary = generate(get_database(settings), ScalePlan(applications), settings)
    rows = ", ".join(f"{count} {table}" for table, count in summary.rows.items() if count)
    return [
        f"Scale data set loaded in {summary.seconds:.1f} s: {rows}",
        f"Open calls: {', '.join(f'{s} #{c}' for s, c in summary.open_calls.items())}",
        f"Sessions: {len(summary.closed_sessions)} closed, {len(summary.planned_sessions)} planned",
        f"Logins (password {SCALE_PASSWORD}): chair {summary.chair}; funders "
        + ", ".join(summary.funder_users.values())
        + "; holders scale-holder-<organisation id>",
    ]
