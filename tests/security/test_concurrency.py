"""Concurrency on the backend under test (SQLite and PostgreSQL): many requests racing for one
share, many submissions racing a deadline, idempotency keys raced and reused."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import select

from api.models.applications import application_answer
from engine.access import Actor
from engine.clock import at, now
from engine.errors import Conflict, ServiceError
from engine.models import Application, Event, IdempotencyRecord
from engine.rulebook import InvalidInput
from engine.services import applications as apps
from engine.services import idempotency
from engine.services.calls import EnvelopeIn, create_call, open_call
from tests.api.conftest import ENVELOPES, reaap_body
from tests.security.conftest import actors

T = TypeVar("T")


def together(count: int, work: Callable[[int], T]) -> list[T]:
    """`work(0..count-1)` in `count` threads released at once."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait(timeout=60)
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_thirty_two_concurrent_decisions_on_one_share_make_one_then_serial_corrections(
    api: Any,
) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    meeting = api.open_session(call["id"], [application["id"]])
    outcomes = [("granted", f"{1000 + i}.00") for i in range(16)] + [("refused", None)] * 16
    users = ["caf1", "caf2"] * 16

    responses = together(
        32,
        lambda i: api.decide(
            meeting["id"], application["id"], "caf", outcomes[i][0], outcomes[i][1], user=users[i]
        ),
    )
    # One first decision (201); each later one either corrects it once stored (200, while the
    # session is open) or lost the race to a concurrent write (409).
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == 1, [r.text for r in responses if r.status_code != 409]
    assert set(statuses) <= {200, 201, 409}, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} <= {
        "wrong_state",
        "stale_version",
    }
    with api.db.reading() as session:
        events = session.exec(
            select(Event)
            .where(
                Event.application_id == application["id"],
                Event.entity == "share",
                Event.action.in_(("grant", "refuse", "correct")),  # type: ignore[attr-defined]
            )
            .order_by(Event.id)  # type: ignore[arg-type]
        ).all()
    assert [e.action for e in events].count("correct") == statuses[200]
    assert len(events) == 1 + statuses[200]
    stored = api.share(api.application(application["id"]), "caf")
    assert stored["state"] == events[-1].to_state
    assert stored["granted"] == events[-1].data["amount"]


def test_two_hundred_submissions_around_a_deadline(api: Any) -> None:
    """Half the submissions happen just before the call closes, half just after, all at once,
    each sent twice with its idempotency key: every early one is filed once, no late one is."""
    people = actors(api.db)
    deadline = now() + timedelta(days=10)
    call = create_call(
        api.db,
        people["chair"],
        "reaap",
        "Reaap à échéance",
        now() - timedelta(days=1),
        deadline,
        [EnvelopeIn(code, amount) for code, amount in ENVELOPES.items()],
    )
    open_call(api.db, people["chair"], call.id or 0)
    holder = people["asso"]
    drafts = [
        apps.create_application(api.db, holder, call.id or 0, f"Dossier {i}", reaap_body()).id or 0
        for i in range(200)
    ]
    # Submission i happens 100 ms before the deadline plus i ms: 0..99 before, 100..199 after.
    moments = [
        deadline - timedelta(milliseconds=100) + timedelta(milliseconds=i) for i in range(200)
    ]
    tasks = [(i, attempt) for i in range(200) for attempt in range(2)]
    barrier = threading.Barrier(16)

    def submit(task: tuple[int, int]) -> tuple[int, str]:
        index, _ = task
        if task[0] < 16 and task[1] == 0:
            barrier.wait(timeout=60)  # the first ones start together
        with at(moments[index]):
            try:
                answer = apps.submit_once(
                    api.db,
                    holder,
                    drafts[index],
                    api.settings,
                    f"submit-{index}",
                    application_answer,
                )
            except Conflict as exc:
                return index, exc.code
            return index, answer["state"]

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(submit, tasks))

    by_index: dict[int, list[str]] = {}
    for index, outcome in results:
        by_index.setdefault(index, []).append(outcome)
    for index, outcomes in by_index.items():
        if index < 100:
            # Filed (incomplete: no documents attached), or told the twin is still running.
            assert "incomplete" in outcomes, (index, outcomes)
            assert set(outcomes) <= {"incomplete", "idempotency_in_progress"}, (index, outcomes)
        else:
            assert set(outcomes) <= {"deadline_passed", "idempotency_in_progress"}, outcomes
            assert "deadline_passed" in outcomes, (index, outcomes)
    with api.db.reading() as session:
        states = Counter(
            session.exec(
                select(Application.state).where(
                    Application.call_id == call.id  # type: ignore[arg-type]
                )
            ).all()
        )
        submits = Counter(
            session.exec(
                select(Event.entity_id).where(
                    Event.entity == "application", Event.action == "submit"
                )
            ).all()
        )
        keys = session.exec(
            select(IdempotencyRecord.status_code, func.count()).group_by(
                IdempotencyRecord.status_code
            )
        ).all()
    assert states == {"incomplete": 100, "draft": 100}
    assert sorted(submits) == sorted(drafts[:100]) and set(submits.values()) == {1}
    assert dict(keys) == {200: 100}  # the refused ones released their keys


def test_an_idempotency_key_replays_refuses_another_request_and_waits_for_its_first(
    api: Any,
) -> None:
    call = api.call()
    first, second = api.draft(call["id"]), api.draft(call["id"], title="Autre")
    for draft in (first, second):
        api.upload_all(draft["id"])
    holder: Actor = actors(api.db)["asso"]

    # A request still running with that key (its claim is committed, its work is not): 409.
    assert idempotency.claim(api.db, holder, "k-1", f"submit:{first['id']}") is None
    running = api.submit(first["id"], key="k-1")
    assert running.status_code == 409
    assert running.json()["code"] == "idempotency_in_progress"
    assert api.application(first["id"])["state"] == "draft"
    # Its process died (nothing of it stored): a retry after a while takes the key over.
    with at(now() + idempotency.ABANDONED_AFTER + timedelta(seconds=1)):
        taken = apps.submit_once(
            api.db, holder, first["id"], api.settings, "k-1", application_answer
        )
    assert taken["state"] == "eligible"
    # The same key again: the first answer, nothing done twice.
    replayed = api.ok(api.submit(first["id"], key="k-1"))
    assert replayed == taken
    # The same key for another request (another file): 422, nothing done.
    other = api.submit(second["id"], key="k-1")
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert api.application(second["id"])["state"] == "draft"
    # A refused request frees its key: fixed, the retry with the same key goes through.
    api.ok(api.post("asso", f"/applications/{second['id']}/withdraw"))
    refused = api.submit(second["id"], key="k-2")
    assert refused.status_code == 409 and refused.json()["code"] == "wrong_state"
    with api.db.reading() as session:
        assert session.exec(select(func.count()).where(IdempotencyRecord.key == "k-2")).one() == 0
    submits = [e for e in api.events(first["id"]) if e["action"] == "submit"]
    assert len(submits) == 1
    # Keys are checked before anything else.
    try:
        idempotency.claim(api.db, holder, "x" * 201, "submit:1")
    except InvalidInput as exc:
        assert exc.errors[0].field == "Idempotency-Key"
    else:
        raise AssertionError("a 201-character key was accepted")
    assert issubclass(Conflict, ServiceError)
