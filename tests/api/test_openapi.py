"""The OpenAPI document describes every answer: a client can be generated from it, and
schemathesis (tests/security/test_fuzz.py) checks each answer against it.

Every 2xx answer of every operation has a schema (a model with its fields, or a list of them),
or is a file declared with its binary content type, or a 204 without a body; every error is the
one error shape; no route answers an untyped `dict[str, Any]`.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import typing
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlmodel import select

import api.routes
from api.main import create_app
from engine.models import OutboxMessage
from tests.conftest import PASSWORD

# Files: PDFs and images, and the spreadsheets for accounting software (payments.csv).
BINARY_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app()


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def untyped(document: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    """Where a JSON answer is a bare object (no declared fields) or of no declared type."""
    schema = resolve(document, schema)
    if schema.get("type") == "array":
        return untyped(document, schema.get("items", {}), f"{where}[]")
    if schema.get("type") == "object" or "properties" in schema:
        return [] if schema.get("properties") else [where]
    return [where]


def test_every_2xx_answer_of_every_operation_has_a_schema(document: dict[str, Any]) -> None:
    found = list(operations(document))
    assert len(found) >= 42
    typed = 0
    problems: list[str] = []
    for label, operation in found:
        successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
        assert successes, f"{label} declares no success"
        for status, response in successes.items():
            content = response.get("content")
            if status == "204":
                if content:
                    problems.append(f"{label} 204 declares a body")
                continue
            if not content:
                problems.append(f"{label} {status} has no content")
                continue
            for media_type, body in content.items():
                schema = body.get("schema")
                if media_type in BINARY_TYPES:
                    if schema != {"type": "string", "format": "binary"}:
                        problems.append(f"{label} {status} {media_type} is not declared binary")
                elif media_type == "application/json":
                    if not schema:
                        problems.append(f"{label} {status} has no schema")
                    else:
                        problems += untyped(document, schema, f"{label} {status}")
                else:
                    problems.append(f"{label} {status} answers {media_type}")
        typed += 1
    assert problems == []
    assert typed == len(found)


def test_every_error_is_the_one_error_shape_and_signed_in_routes_declare_401(
    document: dict[str, Any],
) -> None:
    problems = []
    for label, operation in operations(document):
        responses = operation["responses"]
        for status in ("400", "413", "422", "503"):  # any operation may answer these
            if status not in responses:
                problems.append(f"{label} does not declare {status}")
        if operation.get("security") and "401" not in responses:
            problems.append(f"{label} takes a token but does not declare 401")
        for status, response in responses.items():
            if status[0] in "45":
                schema = response["content"]["application/json"]["schema"]
                if schema != {"$ref": ERROR_REF}:
                    problems.append(f"{label} {status} is not ErrorOut")
    assert problems == []
    error = resolve(document, {"$ref": ERROR_REF})
    assert error["required"] == ["detail", "code"]


def _model_of(annotation: Any) -> Any:
    """The model a response model stands for: itself, or the items of a list."""
    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation)
    return annotation


def api_routes() -> list[APIRoute]:
    """The routes of every router of the JSON API (api/routes/*.py), as declared."""
    modules = [
        importlib.import_module(f"api.routes.{info.name}")
        for info in pkgutil.iter_modules(api.routes.__path__)
    ]
    return [r for m in modules for r in m.router.routes if isinstance(r, APIRoute)]


def test_no_route_answers_an_untyped_dict(document: dict[str, Any]) -> None:
    routes = api_routes()
    assert len(routes) == len(list(operations(document)))
    problems = []
    for route in routes:
        label = f"{sorted(route.methods or ())} {route.path}"
        if route.status_code == 204:
            if route.response_model is not None:
                problems.append(f"{label}: a 204 with a response model")
            continue
        declared = route.responses.get(200, {}).get("content", {})
        if declared and set(declared) <= BINARY_TYPES:
            continue  # a file (PDF, image): declared binary, checked above
        model = _model_of(route.response_model)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            problems.append(f"{label}: answers {route.response_model!r}")
            continue
        if not model.model_fields:
            problems.append(f"{label}: {model.__name__} has no fields")
        # The function says what it returns, and it is the model the route declares.
        annotation = typing.get_type_hints(route.endpoint).get("return")
        if annotation != route.response_model:
            problems.append(f"{label}: returns {annotation!r}, declares {route.response_model!r}")
    assert problems == []


# ---------------------------------------------------------------- real answers against it


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


def _validators(document: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    """A JSON Schema validator (formats checked) per (method, path template, status)."""
    found = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                validator = None
                if schema is not None:
                    root = {**schema, "components": document["components"]}
                    validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
                found[(method.upper(), path, status)] = (validator, response)
    return found


def test_every_answer_of_a_whole_life_matches_the_document(
    api: Any, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each operation, answered with real data (eligibility, shares, flags, traces, letters),
    and a few refusals: every status is declared and every body matches its schema."""
    seen: list[tuple[str, str, Any]] = []
    request = api.request

    def recording(method: str, user: str | None, path: str, **kwargs: Any) -> Any:
        response = request(method, user, path, **kwargs)
        seen.append((method, "/api/v1" + path, response))
        return response

    monkeypatch.setattr(api, "request", recording)
    _a_whole_life(api)

    validators = _validators(document)
    templates = [(p, _template(p)) for p in document["paths"]]
    answered: set[tuple[str, str]] = set()
    problems = []
    for method, path, response in seen:
        template = next(p for p, pattern in templates if pattern.match(path.split("?")[0]))
        status = str(response.status_code)
        declared = validators.get((method, template, status))
        if declared is None:
            problems.append(f"{method} {path}: {status} is not declared")
            continue
        validator, description = declared
        media_type = response.headers.get("content-type", "").split(";")[0]
        if status == "204":
            assert not response.content
        elif validator is not None:
            assert media_type == "application/json", (method, path, media_type)
            errors = [str(e) for e in validator.iter_errors(response.json())]
            problems += [f"{method} {path} {status}: {e}" for e in errors]
        else:
            assert media_type in description["content"], (method, path, media_type)
        if status.startswith("2"):
            answered.add((method, template))
    assert problems == []
    every = {(m.upper(), p) for p, methods in document["paths"].items() for m in methods}
    assert every - answered == set()


def _a_whole_life(api: Any) -> None:
    api.ok(api.get(None, "/health"))
    api.ok(api.get(None, "/schemes"))
    simulation = {"scheme": "reaap", "date": "2027-03-01", "application": api.body()}
    api.ok(api.post(None, "/rules/evaluate", json=simulation))
    api.ok(api.get("asso", "/funders"))
    funder = {"code": "msa2", "name": "MSA bis", "kind": "msa", "advance_rate": "0.6"}
    api.ok(api.post("admin", "/funders", json=funder), 201)
    assert api.post("admin", "/funders", json=funder).status_code == 409

    # A call, three files: eligible, ineligible then overridden, withdrawn.
    call = api.call(open_it=False)
    api.ok(api.post("chair", f"/calls/{call['id']}/open"))
    api.ok(api.get("asso", "/calls"))
    api.ok(api.get("asso", f"/calls/{call['id']}"))
    good = api.draft(call["id"])
    api.ok(api.patch("asso", f"/applications/{good['id']}", json={"title": "Café (v2)"}))
    api.upload_all(good["id"])
    api.ok(api.get("asso", f"/applications/{good['id']}/documents"))
    api.ok(api.submit(good["id"], key="first"))
    api.ok(api.submit(good["id"], key="first"))  # the first answer again
    path = f"/applications/{good['id']}"
    api.ok(api.post("chair", f"{path}/request-documents", json={"reason": "RIB"}))
    api.ok(api.submit(good["id"]))
    api.ok(api.post("caf1", f"{path}/shares/caf/propose", json={"amount": "2500.00"}))
    opinion = {"opinion": "reserved", "comment": "Budget à préciser."}
    api.ok(api.post("caf1", f"{path}/shares/caf/opinion", json=opinion), 201)
    api.ok(api.post("caf1", f"{path}/shares/caf/opinion", json={"opinion": "favourable"}))
    assert api.post("caf1", f"{path}/shares/caf/opinion", json={}).status_code == 422
    assert api.post("dep1", f"{path}/shares/caf/opinion", json=opinion).status_code == 403
    api.ok(api.get("chair", f"{path}/opinions"))
    bad = api.ineligible(call["id"], user="other", title="Séances individuelles")
    reason = {"reason": "Séances collectives en réalité."}
    api.ok(api.post("chair", f"/applications/{bad['id']}/override-eligibility", json=reason))
    gone = api.draft(call["id"], title="Abandonné")
    api.ok(api.post("asso", f"/applications/{gone['id']}/withdraw", json={"reason": "Reporté"}))
    api.ok(api.get("chair", "/applications", params={"call_id": call["id"]}))
    api.ok(api.get("caf1", f"/applications/{good['id']}"))
    assert api.get("other", f"/applications/{good['id']}").status_code == 403
    assert api.get("asso", "/applications/999999").status_code == 404
    assert api.post("asso", "/applications", json={"call_id": call["id"]}).status_code == 422

    # A session: agenda, convened, opened, decided, closed; another one cancelled.
    meeting = api.session(call["id"])
    api.ok(api.get("caf1", "/sessions"))
    api.agenda(meeting["id"], [good["id"], bad["id"]])
    api.move(meeting["id"], "convene")
    conflict = {"application_id": good["id"], "user": "caf2", "reason": "Membre du bureau"}
    conflicts = f"/sessions/{meeting['id']}/conflicts"
    assert api.post("caf1", conflicts, json=conflict).status_code == 403  # someone else's
    assert api.post("chair", conflicts, json={**conflict, "reason": " "}).status_code == 422
    api.ok(api.post("chair", conflicts, json=conflict), 201)
    assert [c["user"] for c in api.ok(api.get("caf1", conflicts))] == ["caf2"]
    pack = api.get("caf1", f"/sessions/{meeting['id']}/pack")
    assert pack.status_code == 200 and pack.content.startswith(b"%PDF")
    sheet = api.get("caf1", f"/sessions/{meeting['id']}/attendance-sheet")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    moved = {"location": "Salle du conseil", "starts_at": meeting["starts_at"]}
    api.ok(api.patch("chair", f"/sessions/{meeting['id']}", json=moved))
    api.move(meeting["id"], "open")
    api.ok(api.decide(meeting["id"], good["id"], "caf", "granted", "2400.00"), 201)
    api.ok(api.decide(meeting["id"], good["id"], "caf", "granted", "2500.00"), 200)
    api.ok(api.decide(meeting["id"], bad["id"], "caf", "deferred"), 201)
    for item in api.ok(api.get("caf1", f"/sessions/{meeting['id']}"))["agenda"]:
        for share in item["shares"]:
            if share["funder"] != "caf":
                api.ok(api.decide(meeting["id"], item["id"], share["funder"], "refused"), 201)
    assert api.get(None, f"/sessions/{meeting['id']}/minutes").status_code == 401
    api.move(meeting["id"], "close")
    minutes = api.get("chair", f"/sessions/{meeting['id']}/minutes")
    assert minutes.status_code == 200 and minutes.content.startswith(b"%PDF")
    letters = api.ok(api.get("asso", f"/applications/{good['id']}/letters"))
    letter = api.get("asso", f"/letters/{letters[0]['id']}")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    api.ok(api.get("asso", f"/applications/{good['id']}/events"))
    other = api.session(call["id"], title="Séance annulée")
    api.ok(api.post("chair", f"/sessions/{other['id']}/cancel", json={"reason": "Quorum"}))

    # The Caf's payments on the granted share (opened as an agreement in force opens them):
    # listed, exported, its advance ordered then paid, and paid a second time (409).
    _open_payments(api, good["id"])
    advance = next(p for p in api.ok(api.get("caf1", "/payments")) if p["kind"] == "advance")
    sheet = api.get("caf1", "/payments.csv", params={"decimal": "point"})
    assert sheet.status_code == 200 and sheet.text.startswith("\ufeffRéférence")
    api.ok(api.post("caf1", f"/payments/{advance['id']}/order", json={"reference": "M-1"}))
    paid = {"paid_on": "2026-01-05"}
    api.ok(api.post("caf1", f"/payments/{advance['id']}/pay", json=paid))
    assert api.post("caf1", f"/payments/{advance['id']}/pay", json=paid).status_code == 409

    # The final report: refused when its charges do not add up, filed, approved by the Caf.
    report = f"/applications/{good['id']}/report"
    api.ok(api.get("caf1", report))
    figures = {
        "actual_total_cost": "5800.00",
        "actual_other_resources": "900.00",
        "lines": [
            {"label": "Salaires", "kind": "charge", "forecast": "6000.00", "actual": "5800.00"}
        ],
        "activity": {"parents": 40, "children": 25, "sessions": 12},
        "narrative": "Bilan",
    }
    assert api.put("asso", report, json={**figures, "actual_total_cost": "1.00"}).status_code == 422
    api.ok(api.put("asso", report, json=figures))
    # A supporting document joined to the report, listed and downloaded by a reviewing funder.
    piece = {"file": ("facture.pdf", api.pdf, "application/pdf")}
    joined = api.ok(api.post("asso", report + "/documents", files=piece), 201)
    api.ok(api.get("caf1", report + "/documents"))
    assert api.get("caf1", f"{report}/documents/{joined['id']}").content.startswith(b"%PDF")
    api.ok(api.post("asso", report + "/submit"))
    assert api.put("asso", report, json=figures).status_code == 409
    msa = {"funder": "msa", "outcome": "approved"}
    assert api.post("msa1", report + "/reviews", json=msa).status_code == 403
    api.ok(api.post("caf1", report + "/reviews", json={"funder": "caf", "outcome": "approved"}))

    # The Caf's agreement made a convention to sign: downloaded, refused as a picture, signed,
    # countersigned; the file's funding read in one.
    agreement = _as_convention(api, good["id"])
    api.ok(api.get("asso", f"/applications/{good['id']}/funding"))
    assert api.get("asso", f"/agreements/{agreement}/pdf").content.startswith(b"%PDF")
    picture = {"file": ("scan.png", api.PNG, "image/png")}
    assert api.post("asso", f"/agreements/{agreement}/sign", files=picture).status_code == 422
    signed = {"file": ("signee.pdf", api.pdf, "application/pdf")}
    api.ok(api.post("asso", f"/agreements/{agreement}/sign", files=signed))
    assert api.get("caf1", f"/agreements/{agreement}/signed").status_code == 200
    assert api.post("dep1", f"/agreements/{agreement}/countersign").status_code == 403
    api.ok(api.post("caf1", f"/agreements/{agreement}/countersign"))

    # A document downloaded; notifications read; a failed email retried; signed out.
    (document, *_) = api.ok(api.get("asso", f"/applications/{good['id']}/documents"))
    assert api.get("asso", f"/documents/{document['id']}").status_code == 200
    inbox = api.ok(api.get("asso", "/notifications"))
    api.ok(api.post("asso", f"/notifications/{inbox['items'][0]['id']}/read"))
    api.ok(api.post("asso", "/notifications/read-all"))
    outbox = api.ok(api.get("admin", "/outbox"))
    with api.db.transaction() as session:
        message = session.get(OutboxMessage, outbox["items"][0]["id"])
        message.state, message.last_error = "failed", "550 mailbox unavailable"
    api.ok(api.post("admin", f"/outbox/{message.id}/retry"))
    assert api.post("admin", f"/outbox/{message.id}/retry").status_code == 409
    api.ok(api.get("admin", f"/outbox/{message.id}"))
    # The holder's profile and its kept documents, a copy of a file, the commune picker.
    api.ok(api.get("asso", "/organisations/me"))
    api.ok(api.patch("asso", "/organisations/me", json={"rna": "W381000123"}))
    rib = {"file": ("rib.pdf", api.pdf, "application/pdf")}
    kept = api.post("asso", "/organisations/me/documents", data={"kind": "rib"}, files=rib)
    piece = api.ok(kept, 201)["documents"][0]["id"]
    assert api.get("asso", f"/organisations/me/documents/{piece}").status_code == 200
    api.ok(api.request("DELETE", "asso", f"/organisations/me/documents/{piece}"))
    api.ok(api.post("asso", f"/applications/{gone['id']}/copy"), 201)
    api.ok(api.get(None, "/communes", params={"q": "st martin d heres"}))
    # The administrator's editing: accounts, funders, calls; a forgotten password.
    users = api.ok(api.get("admin", "/users"))
    other = next(u["id"] for u in users if u["username"] == "other")
    api.ok(api.get("admin", f"/users/{other}"))
    api.ok(api.patch("admin", f"/users/{other}", json={"name": "Autre porteur"}))
    api.ok(api.post("admin", f"/users/{other}/password-reset"))
    api.ok(api.post("admin", f"/users/{other}/deactivate"))
    assert api.post("admin", f"/users/{other}/deactivate").status_code == 409
    api.ok(api.post("admin", f"/users/{other}/reactivate"))
    api.ok(api.get("asso", "/funders/msa2"))
    api.ok(api.patch("admin", "/funders/msa2", json={"email": "msa2@example.org"}))
    api.ok(api.post("admin", "/funders/msa2/deactivate"))
    api.ok(api.post("admin", "/funders/msa2/reactivate"))
    api.ok(api.patch("chair", f"/calls/{call['id']}", json={"title": "Appel Reaap modifié"}))
    api.ok(api.post(None, "/auth/password-reset", json={"username": "asso"}), 202)
    reset = {"token": "not-a-token", "password": "a new password 2027"}
    assert api.post(None, "/auth/password-reset/confirm", json=reset).status_code == 422
    with api.db.reading() as session:
        emails = session.exec(
            select(OutboxMessage).where(OutboxMessage.recipient == "asso@example.org")
        ).all()
    link = next(m.body_text for m in emails if m.kind == "password_reset")
    reset["token"] = re.search(r"jeton=(\S+)", link).group(1)  # type: ignore[union-attr]
    api.ok(api.post(None, "/auth/password-reset/confirm", json=reset))
    # The territory: statistics and exports for the committee, the public pages' JSON and the
    # open data for everyone.
    api.ok(api.get("chair", "/statistics", params={"year": 2027}))
    api.ok(api.get("caf1", "/statistics", params={"year": 2027, "scheme": "reaap"}))
    assert api.get("chair", "/statistics", params={"year": 1999}).status_code == 422
    export = api.get("chair", "/exports/applications.csv", params={"state": "eligible"})
    assert export.status_code == 200 and export.text.startswith("\ufeffRéférence")
    workbook = api.get("caf1", "/exports/applications.xlsx", params={"view": "tous"})
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    api.ok(api.get(None, "/public/calls"))
    public = {"year": 2027, "commune": "38185", "scheme": "reaap"}
    api.ok(api.get(None, "/public/actions", params=public))
    assert api.get(None, "/opendata/subventions.csv", params={"year": 2027}).status_code == 200
    assert api.get(None, "/opendata/subventions.csv", params={"year": 1999}).status_code == 422
    api.ok(api.post("chair", f"/calls/{call['id']}/close"))
    assert api.post("ville1", "/auth/logout").status_code == 204
    api.ok(api.post(None, "/auth/token", data={"username": "caf1", "password": PASSWORD}))
    assert api.post(None, "/auth/token", data={"username": "caf1"}).status_code == 422


def _open_payments(api: Any, application_id: int) -> None:
    from types import SimpleNamespace

    from engine.access import SYSTEM
    from engine.models import Share
    from engine.services.payments import open_payments

    with api.db.transaction() as session:
        for share in session.exec(select(Share).where(Share.application_id == application_id)):
            open_payments(session, share, SimpleNamespace(id=None, state="in_force"), SYSTEM)


def _as_convention(api: Any, application_id: int) -> int:
    """The Caf's agreement on the file turned into a convention awaiting the holder's signature
    (a grant above the threshold would change every amount of this walk)."""
    from engine.blobs import new_blob
    from engine.models import Agreement, Funder

    with api.db.transaction() as session:
        caf = session.exec(select(Funder.id).where(Funder.code == "caf")).one()
        agreement = session.exec(
            select(Agreement).where(
                Agreement.application_id == application_id, Agreement.funder_id == caf
            )
        ).one()
        blob = new_blob(session, api.pdf)
        session.flush()
        agreement.kind, agreement.state, agreement.blob_id = (
            "convention",
            "awaiting_signature",
            blob.id,
        )
        session.add(agreement)
        session.flush()
        return int(agreement.id)
