"""Bad input is a 422 naming the field, with nothing written: never a 500, never a half change.

Each test walks a table of (what is wrong, body, field named); `api.invalid` checks the status,
the `detail`, that `errors[].field` names the field, and that no row, event or file appeared.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest


def with_(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `body` with the value at the dotted `path` replaced (or removed if ...)."""
    result = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = result
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is ...:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return result


@pytest.fixture
def stage(api: Any) -> dict[str, Any]:
    """An open call and a draft."""
    call = api.call()
    return {"call": call, "draft": api.draft(call["id"], title="Brouillon")}


@pytest.fixture
def in_session(api: Any, stage: dict[str, Any]) -> dict[str, Any]:
    """Also an eligible file on the agenda of an open session."""
    scheduled = api.eligible(stage["call"]["id"])
    meeting = api.open_session(stage["call"]["id"], [scheduled["id"]])
    return {**stage, "scheduled": scheduled, "session": meeting}


APPLICATION_CASES = [
    ("no call_id", "call_id", ...),
    ("call_id as text", "call_id", "abc"),
    ("no title", "title", ...),
    ("an empty title", "title", ""),
    ("a title too long", "title", "x" * 301),
    ("no application", "application", ...),
    ("application as a list", "application", []),
    ("no budget", "application.budget", ...),
    ("a boolean as money", "application.budget.total_cost", True),
    ("false as money", "application.budget.other_resources", False),
    ("a float with 3 decimals", "application.budget.total_cost", 6000.005),
    ("text with 3 decimals", "application.budget.total_cost", "6000.005"),
    ("a negative amount", "application.budget.total_cost", "-6000.00"),
    ("money that is not a number", "application.budget.total_cost", "six mille"),
    ("an absurd amount", "application.budget.total_cost", "1e12"),
    ("a boolean request", "application.requests.caf", True),
    ("a negative request", "application.requests.caf", "-3000.00"),
    ("a zero request", "application.requests", {"caf": "0.00"}),
    ("requests as a list", "application.requests", ["caf"]),
    ("a malformed date", "application.period.start", "2027-13-01"),
    ("a French date", "application.period.end", "15/12/2027"),
    ("a date as a number", "application.period.start", 20270201),
    ("an unknown holder kind", "application.holder.kind", "company"),
    ("an unknown commune", "application.territory", ["99999"]),
    ("a yes for a flag", "application.renewal", "yes"),
    ("declared documents", "application.documents", ["rib"]),
    ("a scheme fact mistyped", "application.facts.children_max_age", "dix-huit"),
    ("a scheme fact missing", "application.facts.modality", ...),
    ("an unknown top field", "extra", 1),
    ("an unknown application field", "application.colour", "blue"),
]


def test_a_bad_application_body_is_422_naming_the_field(api: Any, stage: dict[str, Any]) -> None:
    valid = {"call_id": stage["call"]["id"], "title": "Café", "application": api.body()}
    for case, field, value in APPLICATION_CASES:
        body = with_(valid, field, value)
        response = api.invalid(field, "asso", "POST", "/applications", json=body)
        assert field in response.json()["detail"], case
    # Funders asked must exist and take part in the call.
    for code in ("cnaf", "grenoble"):
        requests = {"caf": "3000.00", code: "2000.00"}
        body = with_(valid, "application.requests", requests)
        api.invalid(f"application.requests.{code}", "asso", "POST", "/applications", json=body)
    body = with_(valid, "call_id", 9999)
    api.invalid("call_id", "asso", "POST", "/applications", json=body)
    # Several mistakes are all reported at once.
    body = with_(with_(valid, "application.budget.total_cost", True), "application.renewal", 3)
    response = api.invalid(
        "application.budget.total_cost", "asso", "POST", "/applications", json=body
    )
    assert "application.renewal" in [e["field"] for e in response.json()["errors"]]
    # Not JSON at all.
    response = api.refused(
        422,
        "asso",
        "POST",
        "/applications",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.json()["errors"]
    # The valid body goes through.
    assert api.ok(api.post("asso", "/applications", json=valid), 201)["state"] == "draft"


def test_a_bad_patch_is_422_naming_the_field(api: Any, stage: dict[str, Any]) -> None:
    draft = stage["draft"]
    path = f"/applications/{draft['id']}"
    watch = [draft["id"]]
    for field, value in (
        ("application.budget.total_cost", True),
        ("application.requests.caf", 1.234),
        ("application.period.start", "demain"),
    ):
        body = {"application": with_(api.body(), field.removeprefix("application."), value)}
        api.invalid(field, "asso", "PATCH", path, json=body, watch=watch)
    api.invalid("title", "asso", "PATCH", path, json={"title": ""}, watch=watch)
    api.invalid("title", "asso", "PATCH", path, json={"title": 12}, watch=watch)
    api.invalid("state", "asso", "PATCH", path, json={"state": "eligible"}, watch=watch)
    api.invalid(
        "If-Match",
        "asso",
        "PATCH",
        path,
        json={"title": "Café"},
        headers={"If-Match": "latest"},
        watch=watch,
    )
    api.invalid("application_id", "asso", "GET", "/applications/abc")
    api.invalid("limit", "asso", "GET", "/applications?limit=0")
    api.invalid("call_id", "asso", "GET", "/applications?call_id=abc")
    key = {"Idempotency-Key": "k" * 201}
    api.invalid("Idempotency-Key", "asso", "POST", f"{path}/submit", headers=key, watch=watch)
    # A key already used for another request cannot be used for this one.
    other = api.draft(stage["call"]["id"], title="Autre")
    api.upload_all(other["id"])
    assert api.ok(api.submit(other["id"], key="first-submit"))["state"] == "eligible"
    api.invalid(
        "Idempotency-Key",
        "asso",
        "POST",
        f"{path}/submit",
        headers={"Idempotency-Key": "first-submit"},
        watch=watch,
    )


def test_a_bad_call_is_422_naming_the_field(api: Any) -> None:
    valid = api.call_body()
    cases = [
        ("scheme", "scheme", "unknown"),
        ("scheme", "scheme", ...),
        ("title", "title", ""),
        ("opens_at", "opens_at", "yesterday"),
        ("opens_at", "opens_at", "2027-02-30T10:00:00+01:00"),
        ("closes_at", "closes_at", ...),
        ("closes_at", "closes_at", valid["opens_at"]),  # not after the opening
        ("funders", "funders", []),
        ("funders", "funders", {"caf": "1.00"}),
        ("funders.0.envelope", "funders.0.envelope", True),
        ("funders.0.envelope", "funders.0.envelope", 1000.001),
        ("funders.0.envelope", "funders.0.envelope", "-1000.00"),
        ("funders.0.envelope", "funders.0.envelope", ...),
        ("funders.1.funder", "funders.1.funder", "cnaf"),
        ("funders.0.region", "funders.0.region", "ARA"),
    ]
    for field, path, value in cases:
        api.invalid(field, "chair", "POST", "/calls", json=with_(valid, path, value))
    twice = with_(valid, "funders", [valid["funders"][0], valid["funders"][0]])
    api.invalid("funders", "chair", "POST", "/calls", json=twice)


def test_a_bad_funder_is_422_naming_the_field(api: Any) -> None:
    valid = {"code": "voiron", "name": "Ville de Voiron", "kind": "commune", "insee": "38563"}
    for field, value in (
        ("code", "Ville de Voiron"),
        ("kind", "bank"),
        ("insee", ...),  # a commune needs its INSEE code
        ("insee", "00000"),
        ("advance_rate", "1.5"),
        ("advance_rate", True),
        ("name", ...),
    ):
        api.invalid(field, "admin", "POST", "/funders", json=with_(valid, field, value))


def test_a_bad_session_or_agenda_is_422_naming_the_field(api: Any, stage: dict[str, Any]) -> None:
    valid = {
        "call_id": stage["call"]["id"],
        "title": "Séance",
        "starts_at": "2027-01-15T14:00:00+01:00",
        "location": "Grenoble",
    }
    for field, value in (
        ("call_id", 9999),
        ("call_id", "un"),
        ("starts_at", "demain"),
        ("starts_at", ...),
        ("location", ...),
        ("title", ""),
    ):
        api.invalid(field, "chair", "POST", "/sessions", json=with_(valid, field, value))

    planned = api.session(stage["call"]["id"])
    path = f"/sessions/{planned['id']}/agenda"
    watch = [stage["draft"]["id"]]
    for field, body in (
        ("application_ids", {}),
        ("application_ids", {"application_ids": "1"}),
        ("application_ids.1", {"application_ids": [stage["draft"]["id"], "un"]}),
        ("application_ids", {"application_ids": [stage["draft"]["id"]] * 2}),
    ):
        api.invalid(field, "chair", "PUT", path, json=body, watch=watch)


def test_a_bad_proposal_is_422_naming_the_field(api: Any, stage: dict[str, Any]) -> None:
    application_id = api.eligible(stage["call"]["id"])["id"]
    path = f"/applications/{application_id}/shares/caf/propose"
    watch = [application_id]
    for body in (
        {},
        {"amount": True},
        {"amount": 1000.125},
        {"amount": "-10.00"},
        {"amount": None},
        {"amount": "3000.01"},  # above the 3 000 € asked
        {"amount": "100.00", "comment": "x" * 4001},
    ):
        field = "comment" if "comment" in body else "amount"
        api.invalid(field, "caf1", "POST", path, json=body, watch=watch)
    api.invalid(
        "funder",
        "caf1",
        "POST",
        path.replace("/caf/", "/cnaf/"),
        json={"amount": "1.00"},
        watch=watch,
    )


def test_a_bad_decision_is_422_naming_the_field(api: Any, in_session: dict[str, Any]) -> None:
    application_id = in_session["scheduled"]["id"]
    path = f"/sessions/{in_session['session']['id']}/decisions"
    watch = [application_id]
    valid = {
        "application_id": application_id,
        "funder": "caf",
        "outcome": "granted",
        "amount": "3000.00",
    }
    for field, value in (
        ("outcome", "maybe"),
        ("outcome", ...),
        ("amount", ...),  # granted without an amount
        ("amount", None),
        ("amount", "0.00"),
        ("amount", "3000.01"),  # above the 3 000 € asked
        ("amount", True),
        ("amount", 2999.999),
        ("amount", "-1.00"),
        ("application_id", "un"),
        ("application_id", in_session["draft"]["id"]),  # not on the agenda
        ("funder", "cnaf"),
        ("conditions", 12),
    ):
        api.invalid(field, "caf1", "POST", path, json=with_(valid, field, value), watch=watch)
    # The valid decision goes through.
    api.ok(api.post("caf1", path, json=valid), 201)


def test_bad_reasons_and_document_kinds_are_422_naming_the_field(
    api: Any, stage: dict[str, Any]
) -> None:
    draft = stage["draft"]["id"]
    base = f"/applications/{draft}"
    api.invalid("reason", "asso", "POST", f"{base}/withdraw", json={"reason": 12}, watch=[draft])
    api.invalid(
        "reason", "asso", "POST", f"{base}/withdraw", json={"reason": "x" * 2001}, watch=[draft]
    )
    for kind in ("passport", ""):
        api.invalid(
            "kind",
            "asso",
            "POST",
            f"{base}/documents",
            data={"kind": kind},
            files={"file": ("x.pdf", api.pdf, "application/pdf")},
            watch=[draft],
        )
    api.invalid("file", "asso", "POST", f"{base}/documents", data={"kind": "rib"}, watch=[draft])
    api.invalid(
        "kind",
        "asso",
        "POST",
        f"{base}/documents",
        files={"file": ("x.pdf", api.pdf, "application/pdf")},
        watch=[draft],
    )
