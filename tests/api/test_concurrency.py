"""Concurrent requests on the same rows, with real threads, on every backend (DESIGN §9).

Read-then-write without a guard loses updates; these tests fire requests together (a barrier
releases them at once) and check that exactly the right ones win and the others get 409.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from engine.access import Actor
from engine.errors import Conflict
from engine.models import Event, User
from engine.services.sessions import record_decision

T = TypeVar("T")


def together(count: int, work: Callable[[int], T]) -> list[T]:
    """Run `work(0..count-1)` in `count` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait(timeout=30)
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def actor(api: Any, username: str) -> Actor:
    with api.db.reading() as session:
        user = session.exec(select(User).where(User.username == username)).one()
    return Actor.of(user)


def share_events(api: Any, application_id: int, action: str) -> list[Event]:
    with api.db.reading() as session:
        query = select(Event).where(
            Event.application_id == application_id,
            Event.entity == "share",
            Event.action == action,
        )
        return list(session.exec(query))


def test_two_funders_deciding_their_own_shares_at_the_same_time_both_succeed(api: Any) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    meeting = api.open_session(call["id"], [application["id"]])
    decisions = [("caf1", "caf", "3000.00"), ("dep1", "departement", "1200.00")]
    members = {username: actor(api, username) for username, _, _ in decisions}

    def decide(index: int) -> str:
        username, funder, amount = decisions[index]
        share = record_decision(
            api.db,
            members[username],
            meeting["id"],
            application["id"],
            funder,
            "granted",
            Decimal(amount),
            None,
        )
        return share.state

    assert together(2, decide) == ["granted", "granted"]
    after = api.application(application["id"])
    assert {s["funder"]: s["granted"] for s in after["shares"]} == {
        "caf": "3000.00",
        "departement": "1200.00",
        "etat": None,
        "msa": None,
    }
    assert len(share_events(api, application["id"], "grant")) == 2

    # The same through the HTTP API, for the two shares left.
    last = [("etat", "refused", None), ("msa", "granted", "200.00")]
    statuses = together(
        2,
        lambda i: api.decide(meeting["id"], application["id"], *last[i]).status_code,
    )
    assert statuses == [201, 201]
    assert {s["state"] for s in api.application(application["id"])["shares"]} == {
        "granted",
        "refused",
    }


def test_eight_requests_deciding_the_same_share_make_one_decision_and_only_serial_corrections(
    api: Any,
) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    meeting = api.open_session(call["id"], [application["id"]])
    amounts = [f"{2000 + 100 * i}.00" for i in range(8)]
    users = ["caf1", "caf2"] * 4

    responses = together(
        8,
        lambda i: api.decide(
            meeting["id"], application["id"], "caf", "granted", amounts[i], user=users[i]
        ),
    )
    # One first decision (201); the others either correct it once it is stored (200: the new
    # one replaces it, while the session is open) or lost the race to a concurrent write (409).
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, [r.text for r in responses]
    assert set(statuses) <= {200, 201, 409}, [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] in ("wrong_state", "stale_version"), response.text
    events = share_events(api, application["id"], "grant")
    assert len(events) == 1
    corrections = share_events(api, application["id"], "correct")
    assert len(corrections) == statuses.count(200)
    # The stored decision is the last one written, each write one event.
    last = max([*events, *corrections], key=lambda e: e.id or 0)
    stored = api.share(api.application(application["id"]), "caf")
    assert (stored["state"], stored["granted"]) == ("granted", last.data["amount"])


def test_eight_threads_calling_the_decision_service_make_one_decision_then_corrections(
    api: Any,
) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    meeting = api.open_session(call["id"], [application["id"]])
    members = [actor(api, "dep1")] * 8
    outcomes = ["granted", "refused"] * 4

    def decide(index: int) -> str:
        try:
            record_decision(
                api.db,
                members[index],
                meeting["id"],
                application["id"],
                "departement",
                outcomes[index],
                Decimal("1000.00") if outcomes[index] == "granted" else None,
                None,
            )
        except (Conflict, StaleDataError) as exc:
            return type(exc).__name__
        return "decided"

    results = together(8, decide)
    assert results.count("decided") >= 1, results
    decided = [e for a in ("grant", "refuse") for e in share_events(api, application["id"], a)]
    assert len(decided) == 1
    corrections = share_events(api, application["id"], "correct")
    assert len(corrections) == results.count("decided") - 1
    last = max([*decided, *corrections], key=lambda e: e.id or 0)
    stored = api.share(api.application(application["id"]), "departement")
    assert stored["state"] == last.to_state


def test_concurrent_submits_with_the_same_idempotency_key_submit_once(api: Any) -> None:
    call = api.call()
    for round_ in range(3):
        draft = api.draft(call["id"], title=f"Café {round_}")
        api.upload_all(draft["id"])
        key = f"submit-{round_}"
        responses = together(4, lambda _, i=draft["id"], k=key: api.submit(i, key=k))
        # Each either answers or, while the first is still running, says so (409, retry later).
        assert {r.status_code for r in responses} <= {200, 409}, [r.text for r in responses]
        assert all(
            r.json()["code"] == "idempotency_in_progress" for r in responses if r.status_code == 409
        )
        answers = [r.json() for r in responses if r.status_code == 200]
        answers.append(api.ok(api.submit(draft["id"], key=key)))  # a retry: the first answer
        assert all(answer == answers[0] for answer in answers)
        assert answers[0]["state"] == "eligible"
        submits = [e for e in api.events(draft["id"]) if e["action"] == "submit"]
        assert len(submits) == 1
        assert len(share_events(api, draft["id"], "propose")) == 2


def test_a_stale_if_match_is_refused_with_409(api: Any) -> None:
    call = api.call()
    draft = api.draft(call["id"])
    path = f"/applications/{draft['id']}"
    version = draft["version"]
    updated = api.ok(
        api.patch("asso", path, json={"title": "Café 2"}, headers={"If-Match": str(version)})
    )
    assert updated["version"] == version + 1
    response = api.refused(
        409,
        "asso",
        "PATCH",
        path,
        json={"title": "Café 3"},
        headers={"If-Match": f'"{version}"'},
        watch=[draft["id"]],
    )
    assert response.json()["code"] == "stale_version"
    # Two editors who read the same version: one wins, the other is told to reload.
    current = api.application(draft["id"])["version"]
    responses = together(
        2,
        lambda i: api.patch(
            "asso", path, json={"title": f"Éditeur {i}"}, headers={"If-Match": str(current)}
        ),
    )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    final = api.application(draft["id"])
    assert (final["title"], final["version"]) == (winner["title"], current + 1)
