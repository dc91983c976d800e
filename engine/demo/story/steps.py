"""The story's steps: time, people, calls, files and proposals, played through the services."""

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
from engine.demo.people import ADMIN, FUNDERS, HOLDERS, USERS, DemoUser
from engine.demo.story.facts import ALL_DOCUMENTS
from engine.models import Organisation, User
from engine.notify.deliver import dispatch_outbox
from engine.services.accounts import create_user
from engine.services.applications import create_application, submit_application
from engine.services.calls import EnvelopeIn, create_call, open_call
from engine.services.documents import add_document
from engine.services.funders import create_funder
from engine.services.shares import propose_share
from engine.settings import Settings

# The outbox is delivered in batches; a failing row waits for its retry, so this ends.
MAX_DISPATCH_ROUNDS = 50


class DemoStateError(RuntimeError):
    """A demo file did not land where the story expects it (the rules changed under it)."""


@dataclass
class Steps:
    """The demo's database, settings and today, and the steps its chapters are made of."""

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
                    siret=funder.siret,
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
