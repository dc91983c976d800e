"""The demo's history, played through the services at the dates it happened (engine.clock.at).

Relative to today: a Reaap call of last season whose session was held two months ago (decisions,
letters, minutes, emails sent), and today a Reaap call and a Clas call open for submissions, with
files in every state and a session planned after the Reaap deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

from engine import clock
from engine.access import SYSTEM, Actor
from engine.db import Database
from engine.demo.pdf import document_pdf
from engine.demo.people import ADMIN, FUNDERS, HOLDERS, USERS, DemoUser, Holder
from engine.models import Organisation, User
from engine.notify.deliver import dispatch_outbox
from engine.services.accounts import create_user
from engine.services.applications import (
    create_application,
    submit_application,
    withdraw_application,
)
from engine.services.calls import EnvelopeIn, close_call, create_call, open_call
from engine.services.documents import add_document
from engine.services.funders import create_funder
from engine.services.production import run_production
from engine.services.sessions import (
    close_session,
    convene_session,
    create_session,
    open_session,
    record_decision,
    set_agenda,
)
from engine.services.shares import propose_share
from engine.settings import Settings

ALL_DOCUMENTS = (
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
)
# The documents every holder joins; an association missing the rest is "incomplete".
BASIC_DOCUMENTS = ("cerfa_12156", "rib", "budget")

REAAP_FACTS: dict[str, Any] = {
    "children_max_age": 18,
    "open_to_all": True,
    "modality": "parent_exchange",
    "therapeutic": False,
    "parents_involved": True,
    "fee_per_session": "0.00",
    "commercial": False,
    "reaap_charter_signed": True,
    "laicite_charter_accepted": True,
    "staff_cost_share": "0.55",
}
CLAS_FACTS: dict[str, Any] = {
    "outside_school_time": True,
    "axes": ["children", "parents", "school", "local_partners"],
    "homework_help_only": False,
    "orientation_agreed": True,
    "qpv": False,
}
# The outbox is delivered in batches; a failing row waits for its retry, so this ends.
MAX_DISPATCH_ROUNDS = 50
SEASONS = {
    month: season
    for months, season in (
        ((12, 1, 2), "d'hiver"),
        ((3, 4, 5), "de printemps"),
        ((6, 7, 8), "d'été"),
        ((9, 10, 11), "d'automne"),
    )
    for month in months
}
LOCATION = "Caf de l'Isère, 3 rue des Alliés, 38100 Grenoble — salle du conseil"


class DemoStateError(RuntimeError):
    """A demo file did not land where the story expects it (the rules changed under it)."""


def money(value: str | int) -> str:
    return f"{Decimal(value):.2f}"


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _weekday(day: date) -> date:
    """Committees meet on working days: a Saturday or Sunday moves to the Monday."""
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def civil_period(after: date) -> tuple[date, date]:
    """An action period within one civil year (G9), starting the month after `after`."""
    start = _next_month(after)
    if start.month >= 11:
        start = date(start.year + 1, 1, 4)
    return start, date(start.year, 12, 15)


def school_period(after: date) -> tuple[date, date]:
    """An action period within one school year (G9 for clas), starting the month after `after`."""
    start = _next_month(after)
    school_year = start.year if start.month >= 9 else start.year - 1
    if start > date(school_year + 1, 4, 1):
        school_year += 1
        start = date(school_year, 9, 14)
    return start, date(school_year + 1, 6, 30)


def budget(total: str, other: str, requests: dict[str, str]) -> dict[str, Any]:
    """The budget and requests of an application; balanced (G5) by construction."""
    if Decimal(other) + sum(Decimal(v) for v in requests.values()) != Decimal(total):
        raise ValueError(f"unbalanced demo budget: {total} ≠ {other} + {requests}")
    return {
        "budget": {
            "total_cost": money(total),
            "investment_costs": "0.00",
            "other_resources": money(other),
        },
        "requests": {code: money(amount) for code, amount in requests.items()},
    }


def application(
    holder: Holder,
    period: tuple[date, date],
    facts: dict[str, Any],
    total: str,
    other: str,
    requests: dict[str, str],
    *,
    renewal: bool = False,
    report: bool = False,
    territory: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "holder": holder.facts(),
        "renewal": renewal,
        "previous_report_filed": report,
        "territory": territory or [holder.insee],
        "period": {"start": period[0].isoformat(), "end": period[1].isoformat()},
        **budget(total, other, requests),
        "facts": facts,
    }


@dataclass
class Story:
    db: Database
    settings: Settings
    today: datetime

    def __post_init__(self) -> None:
        self.actors: dict[str, Actor] = {}

    # -- time ------------------------------------------------------------------------------

    def moment(self, days: int, hour: int, minute: int = 0) -> datetime:
        """Paris time, `days` from today (negative: in the past)."""
        day = clock.paris_date(self.today) + timedelta(days=days)
        return datetime.combine(day, time(hour, minute), tzinfo=clock.PARIS)

    def day(self, days: int) -> date:
        return clock.paris_date(self.today) + timedelta(days=days)

    def dispatch(self, when: datetime) -> None:
        with clock.at(when):
            for _ in range(MAX_DISPATCH_ROUNDS):
                if not dispatch_outbox(self.db, self.settings):
                    break

    # -- people ----------------------------------------------------------------------------

    def people(self) -> None:
        with clock.at(self.moment(-200, 9)):
            for funder in FUNDERS:
                create_funder(
                    self.db,
                    SYSTEM,
                    funder.code,
                    funder.name,
                    funder.kind,
                    insee=funder.insee,
                    email=funder.email,
                )
            for user in USERS:
                if user is not ADMIN:
                    self.actors[user.username] = Actor.of(self._user(user))

    def _user(self, user: DemoUser) -> User:
        created = create_user(
            self.db,
            user.username,
            user.password,
            user.role,
            name=user.name,
            email=user.email,
            funder_code=user.funder,
            organisation=HOLDERS[user.holder].name if user.holder else None,
        )
        # The job title signed under (the chair) and the holder's postal address (letters).
        with self.db.transaction() as session:
            row = session.get(User, created.id)
            assert row is not None
            row.title = user.title
            organisation = (
                session.get(Organisation, row.organisation_id) if row.organisation_id else None
            )
            if organisation is not None and user.holder and not organisation.address:
                organisation.address = HOLDERS[user.holder].address
        created.title = user.title
        return created

    def holder_actor(self, holder: str) -> Actor:
        for user in USERS:
            if user.holder == holder:
                return self.actors[user.username]
        raise KeyError(holder)

    # -- steps -----------------------------------------------------------------------------

    def call(
        self,
        scheme: str,
        title: str,
        opened: int,
        closes_at: datetime,
        envelopes: dict[str, str],
    ) -> int:
        chair = self.actors["chair"]
        with clock.at(self.moment(opened - 2, 10)):
            call = create_call(
                self.db,
                chair,
                scheme,
                title,
                self.moment(opened, 9),
                closes_at,
                [EnvelopeIn(code, Decimal(amount)) for code, amount in envelopes.items()],
            )
        assert call.id is not None
        with clock.at(self.moment(opened, 9)):
            open_call(self.db, chair, call.id)
        return call.id

    def file(
        self,
        holder: str,
        call_id: int,
        title: str,
        body: dict[str, Any],
        *,
        created: int,
        documents: tuple[str, ...] = ALL_DOCUMENTS,
        submitted: int | None = None,
        expect: str = "draft",
    ) -> int:
        """Draft an application, attach its documents, and submit it if `submitted` is given."""
        actor = self.holder_actor(holder)
        name = HOLDERS[holder].name
        with clock.at(self.moment(created, 10)):
            created_app = create_application(self.db, actor, call_id, title, body)
            app_id = created_app.id
            assert app_id is not None
        with clock.at(self.moment(created, 11)):
            for kind in documents:
                add_document(
                    self.db,
                    actor,
                    app_id,
                    kind,
                    f"{kind}.pdf",
                    BytesIO(document_pdf(kind, name, title)),
                    self.settings,
                )
        state = "draft"
        if submitted is not None:
            with clock.at(self.moment(submitted, 16, 30)):
                submitted_now = submit_application(self.db, actor, app_id, self.settings)
                state = submitted_now.application.state
        if state != expect:
            raise DemoStateError(f"demo application {title!r} is {state}, expected {expect}")
        return app_id

    def propose(
        self, username: str, app_id: int, funder: str, amount: str, comment: str, when: int
    ) -> None:
        with clock.at(self.moment(when, 14)):
            propose_share(self.db, self.actors[username], app_id, funder, Decimal(amount), comment)

    # -- the story -------------------------------------------------------------------------

    def play(self) -> None:
        self.people()
        self.past_reaap()
        self.current_reaap()
        self.current_clas()
        self.dispatch(self.moment(-1, 18))
        # Last: the administrator's account marks the demo as completely loaded.
        with clock.at(self.moment(-1, 18)):
            self._user(ADMIN)

    def past_reaap(self) -> None:
        """Last season's call: submitted, examined in session two months ago, notified."""
        held = _weekday(self.day(-60))
        held_in = (held - self.day(0)).days
        start = held.replace(day=1)
        period = civil_period(start) if start.month == 12 else (start, date(start.year, 12, 15))
        call_id = self.call(
            "reaap",
            f"Reaap {period[0].year} — appel à projets {SEASONS[held.month]}",
            -120,
            self.moment(-75, 23, 59),
            {"caf": "95000", "departement": "30000", "msa": "8000", "grenoble": "12000"},
        )
        cafe = self.file(
            "chemin",
            call_id,
            "Café des parents du quartier de l'Abbaye",
            application(
                HOLDERS["chemin"],
                period,
                REAAP_FACTS,
                "6000",
                "1500",
                {"caf": "3000", "departement": "1000", "grenoble": "500"},
            ),
            created=-104,
            submitted=-100,
            expect="eligible",
        )
        ateliers = self.file(
            "voiron",
            call_id,
            "Ateliers parents-enfants « Grandir ensemble »",
            application(
                HOLDERS["voiron"],
                period,
                {**REAAP_FACTS, "modality": "parent_child_activity", "fee_per_session": "2.00"},
                "10000",
                "2000",
                {"caf": "6000", "departement": "1500", "msa": "500"},
            ),
            created=-95,
            submitted=-90,
            expect="eligible",
        )
        consultations = self.file(
            "vienne",
            call_id,
            "Consultations individuelles de soutien psychologique aux parents",
            application(
                HOLDERS["vienne"],
                period,
                {**REAAP_FACTS, "modality": "individual", "therapeutic": True},
                "8000",
                "2000",
                {"caf": "4000", "departement": "2000"},
            ),
            created=-88,
            submitted=-85,
            expect="ineligible",
        )
        self.propose("grenoble", cafe, "grenoble", "500", "Action au cœur du quartier.", -80)
        with clock.at(self.moment(-75, 23, 59) + timedelta(minutes=1)):
            close_call(self.db, SYSTEM, call_id)
        chair = self.actors["chair"]
        with clock.at(self.moment(-74, 10)):
            meeting = create_session(
                self.db,
                chair,
                call_id,
                f"Comité des financeurs Reaap — séance du {held:%d/%m/%Y}",
                self.moment(held_in, 14),
                LOCATION,
            )
            assert meeting.id is not None
            session_id = meeting.id
            set_agenda(self.db, chair, session_id, [cafe, ateliers, consultations])
            convene_session(self.db, chair, session_id, self.settings, produce=False)
            run_production(self.db, self.settings)  # the convocations, dated as convened
        self.dispatch(self.moment(-74, 11))
        with clock.at(self.moment(held_in, 14)):
            open_session(self.db, chair, session_id)
        decisions = (
            ("caf", cafe, "caf", "granted", "3000", None),
            ("departement", cafe, "departement", "granted", "1000", None),
            ("grenoble", cafe, "grenoble", "granted", "500", "Mention du soutien de la Ville."),
            (
                "caf-direction",
                ateliers,
                "caf",
                "granted",
                "5000",
                "Bilan qualitatif à transmettre avant le 31 janvier.",
            ),
            ("departement", ateliers, "departement", "granted", "1500", None),
            ("msa", ateliers, "msa", "refused", None, "Action hors des territoires ruraux."),
        )
        for minute, (username, app_id, funder, outcome, amount, conditions) in enumerate(decisions):
            with clock.at(self.moment(held_in, 14, 10 + 5 * minute)):
                record_decision(
                    self.db,
                    self.actors[username],
                    session_id,
                    app_id,
                    funder,
                    outcome,
                    None if amount is None else Decimal(amount),
                    conditions,
                )
        with clock.at(self.moment(held_in, 16, 30)):
            close_session(self.db, chair, session_id, self.settings, produce=False)
            run_production(self.db, self.settings)  # letters and minutes, dated as closed
        self.dispatch(self.moment(held_in, 17))

    def current_reaap(self) -> None:
        """This season's Reaap call, open: files in every state, a session planned."""
        closes_at = self.moment(40, 23, 59)
        period = civil_period(self.day(54))
        call_id = self.call(
            "reaap",
            f"Reaap {period[0].year} — appel à projets",
            -21,
            closes_at,
            {"caf": "290000", "departement": "60000", "msa": "15000", "grenoble": "25000"},
        )
        cafe = self.file(
            "chemin",
            call_id,
            f"Café des parents de l'Abbaye — saison {period[0].year}",
            application(
                HOLDERS["chemin"],
                period,
                REAAP_FACTS,
                "6800",
                "2000",
                {"caf": "3200", "departement": "1000", "grenoble": "600"},
                renewal=True,
                report=True,
            ),
            created=-18,
            submitted=-16,
            expect="eligible",
        )
        parole = self.file(
            "village_sud",
            call_id,
            "Groupe de parole « Parents d'ados »",
            application(
                HOLDERS["village_sud"],
                period,
                REAAP_FACTS,
                "4200",
                "700",
                {"caf": "2500", "departement": "700", "msa": "300"},
            ),
            created=-15,
            submitted=-14,
            expect="eligible",
        )
        self.file(
            "voiron",
            call_id,
            "Sorties familles et ateliers cuisine parents-enfants",
            application(
                HOLDERS["voiron"],
                period,
                {**REAAP_FACTS, "modality": "parent_child_activity", "fee_per_session": "3.00"},
                "7400",
                "1400",
                {"caf": "4500", "departement": "1500"},
            ),
            created=-9,
            submitted=-6,
            expect="eligible",
        )
        self.file(
            "vienne",
            call_id,
            "Conférences-débats « Être parent à l'ère des écrans »",
            application(
                HOLDERS["vienne"],
                period,
                {**REAAP_FACTS, "modality": "conference_debate"},
                "3000",
                "600",
                {"caf": "1800", "departement": "600"},
            ),
            created=-8,
            documents=BASIC_DOCUMENTS,
            submitted=-7,
            expect="incomplete",
        )
        self.file(
            "village_sud",
            call_id,
            "Ateliers de relaxation parents-bébés",
            application(
                HOLDERS["village_sud"],
                period,
                {**REAAP_FACTS, "modality": "parent_child_activity", "fee_per_session": "12.00"},
                "5200",
                "2200",
                {"caf": "3000"},
            ),
            created=-6,
            submitted=-5,
            expect="ineligible",
        )
        ludotheque = self.file(
            "chemin",
            call_id,
            "Ludothèque itinérante dans les parcs",
            application(
                HOLDERS["chemin"],
                period,
                {**REAAP_FACTS, "modality": "parent_child_activity"},
                "5000",
                "1000",
                {"caf": "3000", "grenoble": "1000"},
            ),
            created=-12,
            submitted=-11,
            expect="eligible",
        )
        with clock.at(self.moment(-3, 9, 30)):
            withdraw_application(
                self.db,
                self.holder_actor("chemin"),
                ludotheque,
                "Action reportée : l'animatrice quitte l'association au printemps.",
            )
        self.propose("grenoble", cafe, "grenoble", "600", "Reconduction à l'identique.", -4)
        self.propose("msa", parole, "msa", "300", "Familles des communes rurales du sud.", -3)
        held = _weekday(closes_at.date() + timedelta(days=20))
        chair = self.actors["chair"]
        with clock.at(self.moment(-2, 10)):
            meeting = create_session(
                self.db,
                chair,
                call_id,
                f"Comité des financeurs Reaap — séance du {held:%d/%m/%Y}",
                self.moment((held - self.day(0)).days, 14),
                LOCATION,
            )
            assert meeting.id is not None
            set_agenda(self.db, chair, meeting.id, [cafe, parole])

    def current_clas(self) -> None:
        """The Clas call of the school year, open: one file submitted, one still a draft."""
        closes_at = self.moment(40, 23, 59)
        period = school_period(self.day(54))
        call_id = self.call(
            "clas",
            f"Clas {period[1].year - 1}-{period[1].year} — accompagnement à la scolarité",
            -14,
            closes_at,
            {"caf": "330000", "etat": "45000", "grenoble": "20000"},
        )
        self.file(
            "village_sud",
            call_id,
            "Accompagnement à la scolarité — écoles et collège du Village Sud",
            application(
                HOLDERS["village_sud"],
                period,
                {
                    **CLAS_FACTS,
                    "qpv": True,
                    "groups": [
                        {
                            "children": 10,
                            "intervenants": 2,
                            "cost": "8200.00",
                            "levels": ["CM1", "CM2"],
                        },
                        {
                            "children": 12,
                            "intervenants": 3,
                            "cost": "7800.00",
                            "levels": ["6e", "5e"],
                        },
                    ],
                },
                "16000",
                "8902",
                {"caf": "5098", "etat": "2000"},
            ),
            created=-10,
            submitted=-8,
            expect="eligible",
        )
        self.file(
            "chemin",
            call_id,
            "Coup de pouce collège — quartier de l'Abbaye",
            application(
                HOLDERS["chemin"],
                period,
                {
                    **CLAS_FACTS,
                    "groups": [
                        {
                            "children": 8,
                            "intervenants": 2,
                            "cost": "6500.00",
                            "levels": ["6e", "5e", "4e", "3e"],
                        },
                    ],
                },
                "6500",
                "3387.50",
                {"caf": "2112.50", "grenoble": "1000"},
            ),
            created=-2,
            documents=BASIC_DOCUMENTS,
        )
