"""Every workflow step the data does not allow is refused, whoever asks and however.

1. Every (state, trigger, role) the workflows' data refuses is tried on a real row, through
   `engine.audit.transition` (the one door every state change goes through), and through the
   service that fires that trigger, as a user of that role (the owner or member where it
   matters): refused, and no event, outbox row or anything else written.
2. Random sequences of service calls by random users (a bounded hypothesis state machine): after
   every step, a refused call changed nothing, and every transition recorded is one the data
   allows to the role that fired it; every row's state is the one its last event says.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, text
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from engine.access import SYSTEM, Actor
from engine.audit import transition
from engine.db import Database
from engine.errors import ServiceError
from engine.models import Application, Call, Event, Meeting, OutboxMessage, Share
from engine.rulebook import InvalidInput
from engine.services import applications as apps
from engine.services import calls as calls_service
from engine.services import sessions as meetings
from engine.services.documents import add_document
from engine.services.shares import propose_share
from engine.settings import Settings
from tests.api.conftest import DOCUMENT_KINDS, REAAP, pdf_bytes
from tests.security.conftest import actors, build_world, settled_and_closed, stored
from workflows import ALL
from workflows.spec import ROLES

MODELS = {
    "application": Application,
    "share": Share,
    "session": Meeting,
    "call": Call,
}
REFUSALS = (ServiceError, InvalidInput, StaleDataError)
# The user acting for each role: the owner of the files and a member of the share's funder.
ROLE_USER = {"applicant": "asso", "funder": "caf1", "chair": "chair", "admin": "admin"}


def refused_pairs() -> list[tuple[str, str, str, str]]:
    """(workflow, state, trigger, role) for every combination the data does not allow."""
    return [
        (name, state, trigger, role)
        for name, flow in ALL.items()
        # The workflows after the decision (agreement, payment, report) have their refusals
        # tested through the API in tests/api/test_agreements.py, test_payments.py and
        # test_final_reports.py.
        if name in MODELS
        for state in flow.state_ids()
        for trigger in flow.triggers()
        for role in sorted(ROLES)
        if not flow.allowed(trigger, state, role)
    ]


def _row_in_state(db: Database, workflow: str, state: str, prefer: int) -> int | None:
    """A row in that state; for shares, one of application `prefer` (on an open session's
    agenda) when there is one, so that the refusal comes from the workflow itself."""
    model = MODELS[workflow]
    with db.reading() as session:
        rows = list(session.exec(select(model).where(model.state == state)))  # type: ignore[attr-defined]
    if not rows:
        return None
    if workflow == "share":
        rows.sort(key=lambda r: (r.application_id != prefer, r.id))
    else:
        rows.sort(key=lambda r: r.id)
    return int(rows[0].id)


def _more_states(api: Any, world: Any) -> None:
    """Rows in the states the access world lacks: withdrawn, incomplete, deferred and decided
    shares of a file still in session, a cancelled session, a closed call."""
    ids = world.ids
    call = ids["call"]
    # First: its close delivers every email waiting, which would notify the decided file below.
    settled_and_closed(api, call)
    api.ok(api.post("asso", f"/applications/{api.draft(call)['id']}/withdraw"))
    incomplete = api.submitted(call, kinds=("rib",), title="ASSO-INCOMPLETE")
    assert incomplete["state"] == "incomplete"
    meeting = ids["open_session"]
    for funder, outcome, amount in (("msa", "deferred", None), ("etat", "granted", "300.00")):
        api.ok(api.decide(meeting, ids["scheduled"], funder, outcome, amount), 201)
    cancelled = api.session(call, title="Séance annulée")
    api.move(cancelled["id"], "cancel")
    closed = api.call()
    api.ok(api.post("chair", f"/calls/{closed['id']}/close"))
    # A decided file not yet notified: closed by the service itself, its letters not produced.
    decided = api.eligible(call, title="ASSO-DECIDED-NOT-NOTIFIED")["id"]
    held = api.open_session(call, [decided])["id"]
    for funder in ("caf", "departement", "msa", "etat"):
        api.ok(api.decide(held, decided, funder, "refused"), 201)
    meetings.close_session(api.db, actors(api.db)["chair"], held, api.settings, produce=False)


def _service_call(
    workflow: str, trigger: str, row_id: int, db: Database, settings_: Settings, world: Any
) -> Callable[[Actor], object] | None:
    """The service that fires `trigger` on that row, or None when only the system fires it
    inside another use case (decide, defer, notify, refuse_ineligible: the close of a session,
    the dispatcher)."""
    ids = world.ids
    with db.reading() as session:
        share = session.get(Share, row_id) if workflow == "share" else None
        application_id = share.application_id if share else row_id
        agenda = session.execute(
            text("SELECT session_id FROM agenda_items WHERE application_id = :a"),
            {"a": application_id},
        ).first()
        codes = dict(session.execute(text("SELECT id, code FROM funders")).all())
    meeting = agenda[0] if agenda else ids["open_session"]
    if workflow == "application":
        calls: dict[str, Callable[[Actor], object]] = {
            "submit": lambda a: apps.submit_application(db, a, row_id, settings_),
            "withdraw": lambda a: apps.withdraw_application(db, a, row_id, "raison"),
            "request_documents": lambda a: apps.request_documents(db, a, row_id, "raison"),
            "override_eligibility": lambda a: apps.override_eligibility(
                db, a, row_id, "raison", settings_
            ),
            "schedule": lambda a: meetings.set_agenda(db, a, ids["planned_session"], [row_id]),
            "unschedule": lambda a: meetings.set_agenda(db, a, meeting, []),
        }
        return calls.get(trigger)
    if workflow == "share":
        assert share is not None
        code = codes[share.funder_id]
        outcome = {"grant": "granted", "refuse": "refused", "defer": "deferred"}.get(trigger)
        if trigger == "propose":
            return lambda a: propose_share(db, a, application_id, code, Decimal("10.00"), None)
        if outcome is not None:
            amount = Decimal("10.00") if outcome == "granted" else None
            return lambda a: meetings.record_decision(
                db, a, meeting, application_id, code, outcome, amount, None
            )
        return None
    if workflow == "session":
        return {
            "convene": lambda a: meetings.convene_session(db, a, row_id, settings_),
            "open": lambda a: meetings.open_session(db, a, row_id),
            "close": lambda a: meetings.close_session(db, a, row_id, settings_),
            "cancel": lambda a: meetings.cancel_session(db, a, row_id),
        }[trigger]
    return {
        "open": lambda a: calls_service.open_call(db, a, row_id),
        "close": lambda a: calls_service.close_call(db, a, row_id),
    }[trigger]


def test_every_step_the_workflow_data_refuses_is_refused_and_writes_nothing(
    api: Any, db: Database, settings: Settings
) -> None:
    world = build_world(api)
    _more_states(api, world)
    people = actors(db)
    people_for_role = {role: people[user] for role, user in ROLE_USER.items()}
    people_for_role["system"] = SYSTEM
    # A funder that is not the share's, a holder that is not the file's: refused all the same.
    outsiders = {"applicant": people["other"], "funder": people["ville1"]}
    before = stored(db, settings)
    tried_transition = tried_service = 0
    missing_states = set()
    for workflow, state, trigger, role in refused_pairs():
        row_id = _row_in_state(db, workflow, state, world["scheduled"])
        if row_id is None:
            missing_states.add((workflow, state))
            continue
        # (a) The door itself: the transition is refused, nothing is flushed.
        with pytest.raises(REFUSALS), db.transaction() as session:
            row = session.get(MODELS[workflow], row_id)
            guards = {g: (lambda: True) for t in ALL[workflow].transitions for g in t.guards}
            transition(session, workflow, row, trigger, people_for_role[role], guards=guards)
            session.flush()
        tried_transition += 1
        # (b) The service that fires it, as that role (and as an outsider of that role).
        call = _service_call(workflow, trigger, row_id, db, settings, world)
        if call is None:
            continue
        for actor in (people_for_role[role], outsiders.get(role)):
            if actor is None:
                continue
            with pytest.raises(REFUSALS):
                call(actor)
            tried_service += 1
    assert missing_states == set(), "the world lacks a row in these states"
    assert stored(db, settings) == before
    assert tried_transition == len(refused_pairs())
    assert tried_service > 300


# ---------------------------------------------------------------- random sequences


USERS = ("asso", "other", "caf1", "dep1", "ville1", "chair", "admin")
FUNDERS = ("caf", "departement", "msa", "etat")


class Sequences(RuleBasedStateMachine):
    """Random service calls by random users on a small département (fresh for each example)."""

    database_url: str
    data_dir: Path
    reset: Callable[[], None]

    def __init__(self) -> None:
        super().__init__()
        type(self).reset()
        self.settings = Settings(data_dir=self.data_dir, database_url=self.database_url)
        self.db = Database(self.database_url)
        self.people, self.call_id, self.app_ids, self.session_ids = seed(self.db, self.settings)

    def teardown(self) -> None:
        self.db.dispose()

    # -- what is stored, and the check every step makes

    def _counts(self) -> dict[str, Any]:
        with self.db.reading() as session:
            counts = {
                m.__tablename__: session.exec(select(func.count()).select_from(m)).one()
                for m in (Event, OutboxMessage, Application, Share, Meeting)
            }
            for name, model in MODELS.items():
                counts[name] = sorted(
                    session.execute(select(model.id, model.state, model.version)).all()  # type: ignore[attr-defined]
                )
            counts["last_event"] = session.exec(select(func.max(Event.id))).one()
        return counts

    def _attempt(self, who: str, act: Callable[[Actor], object]) -> None:
        before = self._counts()
        actor = self.people[who]
        try:
            act(actor)
        except REFUSALS:
            assert self._counts() == before, "a refused call changed something"
            return
        after = self._counts()
        assert after["events"] > before["events"], "a state change without its event"
        with self.db.reading() as session:
            new = session.exec(select(Event).where(Event.id > (before["last_event"] or 0)))
            for event in new:
                if event.from_state is None or event.entity not in ALL:
                    continue
                role = actor.role if event.actor_id == actor.id else "system"
                assert event.actor_id in (actor.id, None), event
                assert ALL[event.entity].allowed(event.action, event.from_state, role), (
                    f"{role} fired {event.entity}.{event.action} from {event.from_state}"
                )

    # -- the rules

    apps_ = st.integers(0, 3)
    who = st.sampled_from(USERS)

    @rule(who=who, index=apps_)
    def submit(self, who: str, index: int) -> None:
        app = self.app_ids[index]
        self._attempt(who, lambda a: apps.submit_application(self.db, a, app, self.settings))

    @rule(who=who, index=apps_)
    def withdraw(self, who: str, index: int) -> None:
        app = self.app_ids[index]
        self._attempt(who, lambda a: apps.withdraw_application(self.db, a, app))

    @rule(who=who, index=apps_, override=st.booleans())
    def chair_check(self, who: str, index: int, override: bool) -> None:
        app = self.app_ids[index]
        if override:
            self._attempt(
                who, lambda a: apps.override_eligibility(self.db, a, app, "r", self.settings)
            )
        else:
            self._attempt(who, lambda a: apps.request_documents(self.db, a, app, "r"))

    @rule(who=who, session=st.integers(0, 1), picks=st.lists(apps_, unique=True, max_size=3))
    def agenda(self, who: str, session: int, picks: list[int]) -> None:
        chosen = [self.app_ids[i] for i in picks]
        meeting = self.session_ids[session]
        self._attempt(who, lambda a: meetings.set_agenda(self.db, a, meeting, chosen))

    @rule(
        who=who,
        session=st.integers(0, 1),
        move=st.sampled_from(("convene", "open", "close", "cancel")),
    )
    def move_session(self, who: str, session: int, move: str) -> None:
        meeting = self.session_ids[session]
        moves: dict[str, Callable[[Actor], object]] = {
            "convene": lambda a: meetings.convene_session(self.db, a, meeting, self.settings),
            "open": lambda a: meetings.open_session(self.db, a, meeting),
            "close": lambda a: meetings.close_session(self.db, a, meeting, self.settings),
            "cancel": lambda a: meetings.cancel_session(self.db, a, meeting),
        }
        self._attempt(who, moves[move])

    @rule(
        who=who,
        session=st.integers(0, 1),
        index=apps_,
        funder=st.sampled_from(FUNDERS),
        outcome=st.sampled_from(("granted", "refused", "deferred")),
    )
    def decide(self, who: str, session: int, index: int, funder: str, outcome: str) -> None:
        meeting = self.session_ids[session]
        app = self.app_ids[index]
        amount = Decimal("100.00") if outcome == "granted" else None
        self._attempt(
            who,
            lambda a: meetings.record_decision(
                self.db, a, meeting, app, funder, outcome, amount, None
            ),
        )

    @rule(who=who, index=apps_, funder=st.sampled_from(FUNDERS))
    def propose(self, who: str, index: int, funder: str) -> None:
        app = self.app_ids[index]
        self._attempt(who, lambda a: propose_share(self.db, a, app, funder, Decimal("50.00"), None))

    @rule(who=who, close=st.booleans())
    def move_call(self, who: str, close: bool) -> None:
        move = calls_service.close_call if close else calls_service.open_call
        self._attempt(who, lambda a: move(self.db, a, self.call_id))

    @invariant()
    def every_row_is_where_its_last_event_put_it(self) -> None:
        with self.db.reading() as session:
            for name, model in MODELS.items():
                for row in session.exec(select(model)):
                    last = session.exec(
                        select(Event.to_state)
                        .where(
                            Event.entity == name,
                            Event.entity_id == row.id,
                            Event.to_state.is_not(None),  # type: ignore[union-attr]
                        )
                        .order_by(Event.id.desc())  # type: ignore[union-attr]
                    ).first()
                    if last is None:
                        assert row.state == ALL[name].initial, (name, row.id)
                    else:
                        assert row.state == last, (name, row.id, row.state, last)


def seed(db: Database, settings_: Settings) -> tuple[dict[str, Actor], int, list[int], list[int]]:
    """Funders, users, an open call, four of asso's drafts (three complete, one missing
    documents: it lands incomplete; one ineligible), two planned sessions."""
    from datetime import timedelta

    from engine.clock import now
    from engine.services.accounts import create_user
    from engine.services.funders import create_funder
    from tests.conftest import FUNDERS as SEED_FUNDERS
    from tests.conftest import PASSWORD
    from tests.conftest import USERS as SEED_USERS

    for code, name, kind, insee in SEED_FUNDERS:
        create_funder(db, SYSTEM, code, name, kind, insee=insee, email=f"{code}@example.org")
    for username, role, funder, organisation in SEED_USERS:
        create_user(
            db,
            username,
            PASSWORD,
            role,
            email=f"{username}@example.org",
            funder_code=funder,
            organisation=organisation,
        )
    people = actors(db)
    call = calls_service.create_call(
        db,
        people["chair"],
        "reaap",
        "Reaap",
        now() - timedelta(days=1),
        now() + timedelta(days=30),
        [calls_service.EnvelopeIn(code, Decimal("50000")) for code in FUNDERS],
    )
    calls_service.open_call(db, people["chair"], call.id or 0)
    ineligible = {**REAAP["facts"], "modality": "individual", "therapeutic": True}
    bodies = [REAAP, REAAP, {**REAAP, "facts": ineligible}, REAAP]
    app_ids = []
    for index, body in enumerate(bodies):
        app = apps.create_application(db, people["asso"], call.id or 0, f"Dossier {index}", body)
        kinds = DOCUMENT_KINDS if index != 3 else ("rib",)
        for kind in kinds:
            add_document(
                db, people["asso"], app.id or 0, kind, "p.pdf", io.BytesIO(pdf_bytes()), settings_
            )
        app_ids.append(app.id or 0)
    session_ids = [
        meetings.create_session(db, people["chair"], call.id or 0, f"S{i}", now(), "Grenoble").id
        or 0
        for i in range(2)
    ]
    return people, call.id or 0, app_ids, session_ids


def test_random_sequences_of_steps_never_break_the_workflows(
    settings: Settings, backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = settings.effective_database_url
    counter = iter(range(10_000))

    def reset() -> None:
        if backend == "sqlite":
            template = request.getfixturevalue("sqlite_template")
            shutil.copy(template, url.split("///", 1)[1])
        else:
            from tests.conftest import _truncate

            _truncate(url)
        Sequences.data_dir = tmp_path / f"data-{next(counter)}"

    Sequences.database_url = url
    Sequences.reset = staticmethod(reset)  # type: ignore[assignment]
    run_state_machine_as_test(
        Sequences,
        settings=settings_for_sequences(),
    )


def settings_for_sequences() -> Any:
    return hypothesis_settings(
        max_examples=6,
        stateful_step_count=14,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
