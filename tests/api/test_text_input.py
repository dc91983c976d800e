"""Text no field may hold is a 422 naming the field, with nothing written: never a 500.

A lone surrogate (`"\\ud800"` in JSON, or a multipart form declaring `charset=utf-7`) cannot be
encoded by either database nor sent back in an answer; NUL is refused by PostgreSQL and truncates
strings elsewhere; control characters break one-line fields. One rule for all of them lives in
engine/rulebook/text.py: the API's input models, the services (for the pages and the CLI) and the
pages' forms apply it. `api.invalid` checks the status, the field named, and that no row, event
or file changed.
"""

from __future__ import annotations

import copy
import html
import json
from typing import Any

import pytest
from sqlalchemy import text

from engine.access import Actor
from engine.models import User
from engine.rulebook import InvalidInput
from engine.services.accounts import create_user
from engine.services.documents import add_document

SURROGATE = "\ud800"
BAD_TEXT = [f"Avis {SURROGATE} favorable", "Avis\x00favorable", SURROGATE, "\x00"]
PAGE_CSRF = "csrf-token-of-the-text-tests"


def wire(body: Any) -> dict[str, Any]:
    """A JSON body as a hostile client sends it: `\\ud800` escapes (ASCII JSON), which the
    test client's own encoder (UTF-8) could not write."""
    return {
        "content": json.dumps(body).encode("ascii"),
        "headers": {"Content-Type": "application/json"},
    }


def _application(api: Any, path: str, value: Any) -> dict[str, Any]:
    body = api.body()
    target = body
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    return body


def _requests_keyed_by(api: Any, key: str) -> dict[str, Any]:
    body = api.body()
    body["requests"] = {**body["requests"], key: "100.00"}
    return body


def _cases(api: Any, files: dict[str, Any], bad: str) -> list[tuple[str, str, str, str, Any]]:
    """(user, method, path, field named, JSON body) for every text field a request carries."""
    call_id, draft, eligible = files["call"]["id"], files["draft"]["id"], files["eligible"]["id"]
    application = {"call_id": call_id, "title": "Café des parents"}
    decision = {"application_id": files["scheduled"]["id"], "funder": "caf", "outcome": "refused"}
    return [
        (
            "caf1",
            "POST",
            f"/applications/{eligible}/shares/caf/propose",
            "comment",
            {"amount": "1000.00", "comment": bad},
        ),
        ("asso", "POST", f"/applications/{draft}/withdraw", "reason", {"reason": bad}),
        ("chair", "POST", f"/applications/{eligible}/request-documents", "reason", {"reason": bad}),
        (
            "chair",
            "POST",
            f"/applications/{eligible}/override-eligibility",
            "reason",
            {"reason": bad},
        ),
        (
            "admin",
            "POST",
            "/funders",
            "email",
            {"code": "mutuelle", "name": "Mutuelle", "kind": "msa", "email": bad},
        ),
        (
            "admin",
            "POST",
            "/funders",
            "name",
            {"code": "mutuelle", "name": bad, "kind": "msa"},
        ),
        (
            "asso",
            "POST",
            "/applications",
            "application.holder.name",
            {**application, "application": _application(api, "holder.name", bad)},
        ),
        (
            "asso",
            "POST",
            "/applications",
            "application.holder.siret",
            {**application, "application": _application(api, "holder.siret", bad)},
        ),
        (
            "asso",
            "POST",
            "/applications",
            "application.holder.rna",
            {**application, "application": _application(api, "holder.rna", bad)},
        ),
        (
            "asso",
            "POST",
            "/applications",
            "application.territory.0",
            {**application, "application": _application(api, "territory", [bad])},
        ),
        (
            "asso",
            "POST",
            "/applications",
            "title",
            {**application, "title": bad, "application": api.body()},
        ),
        (
            "asso",
            "PATCH",
            f"/applications/{draft}",
            "application.holder.name",
            {"application": _application(api, "holder.name", bad)},
        ),
        ("asso", "PATCH", f"/applications/{draft}", "title", {"title": bad}),
        (
            "caf1",
            "POST",
            f"/sessions/{files['session']['id']}/decisions",
            "conditions",
            {**decision, "conditions": bad},
        ),
        ("chair", "POST", "/calls", "title", api.call_body(title=bad)),
        (
            "chair",
            "POST",
            "/sessions",
            "location",
            {
                "call_id": call_id,
                "title": "Séance",
                "starts_at": "2027-01-15T14:00:00+01:00",
                "location": bad,
            },
        ),
        (
            None,
            "POST",
            "/rules/evaluate",
            "application.holder.name",
            {
                "scheme": "reaap",
                "date": "2027-01-20",
                "application": _application(api, "holder.name", bad),
            },
        ),
        (
            None,
            "POST",
            "/rules/evaluate",
            "funders.caf.name",
            {
                "scheme": "reaap",
                "date": "2027-01-20",
                "application": api.body(),
                "funders": {"caf": {"name": bad}},
            },
        ),
    ]


@pytest.mark.parametrize("bad", BAD_TEXT, ids=["surrogate", "nul", "lone-surrogate", "lone-nul"])
def test_a_lone_surrogate_or_a_nul_in_any_text_field_is_422_naming_it_and_changes_nothing(
    api: Any, files: dict[str, Any], bad: str
) -> None:
    for user, method, path, field, body in _cases(api, files, bad):
        response = api.invalid(field, user, method, path, watch=files["watch"], **wire(body))
        assert field in response.json()["detail"], (path, field)


def test_a_lone_surrogate_as_a_key_is_refused_and_the_answer_stays_json(
    api: Any, files: dict[str, Any]
) -> None:
    """A key is part of the field's path: the answer names it in a form JSON can carry."""
    body = {"call_id": files["call"]["id"], "title": "Café"}
    for application, prefix in (
        (_requests_keyed_by(api, SURROGATE), "application.requests."),
        ({**api.body(), SURROGATE: 1}, "application."),
        ({**api.body(), "facts": {**api.body()["facts"], SURROGATE: 1}}, "application.facts."),
        ({**api.body(), "holder": {**api.body()["holder"], SURROGATE: 1}}, "application.holder."),
    ):
        response = api.refused(
            422, "asso", "POST", "/applications", **wire({**body, "application": application})
        )
        # The key itself, or (pydantic cannot read it as a string) the object holding it.
        fields = [e["field"] for e in response.json()["errors"]]
        assert any(f.startswith(prefix.removesuffix(".")) for f in fields), fields
        response.content.decode("utf-8")  # well-formed UTF-8 all through
    response = api.refused(
        422, "asso", "POST", "/applications", **wire({**body, SURROGATE: 1, "application": {}})
    )
    assert response.json()["code"] == "invalid_input"


def test_one_line_fields_refuse_line_breaks_and_control_characters_multiline_ones_keep_lines(
    api: Any, files: dict[str, Any]
) -> None:
    draft, eligible = files["draft"]["id"], files["eligible"]["id"]
    watch = files["watch"]
    for bad in ("Café\ndes parents", "Café\tdes parents", "Café\x07", "Café\x7f", "Café\x85"):
        api.invalid(
            "title", "asso", "PATCH", f"/applications/{draft}", json={"title": bad}, watch=watch
        )
    path = f"/applications/{eligible}/shares/caf/propose"
    for bad in ("Avis\x07", "Avis\x1b[31m", "Avis\x0c"):
        api.invalid(
            "comment", "caf1", "POST", path, json={"amount": "10.00", "comment": bad}, watch=watch
        )
    # A comment over several lines, with a tab, is kept as typed.
    comment = "Avis favorable.\r\nRéserve :\tbilan à fournir."
    api.ok(api.post("caf1", path, json={"amount": "10.00", "comment": comment}))
    share = api.share(api.application(eligible), "caf")
    assert share["proposed"] == "10.00"
    with api.db.reading() as session:
        stored = session.execute(
            text("SELECT comment FROM shares WHERE application_id = :id AND comment IS NOT NULL"),
            {"id": eligible},
        ).scalar_one()
    assert stored == comment


def _multipart(
    fields: dict[str, str], filename: bytes, content: bytes, charset: str
) -> tuple[bytes, dict[str, str]]:
    """A multipart body built by hand, its values and file name written as given (ASCII text,
    read by the server in the declared `charset`): `+2AA-` is U+D800 in UTF-7."""
    boundary = "----cofinance-text-tests"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode("ascii")
        + b"\r\n"
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}; charset={charset}"}


# (how the file name is written in the multipart header, the charset the form declares)
BAD_FILENAMES = [
    (b"rib\x00.pdf", "utf-8"),  # NUL
    (b"+2AA-rib.pdf", "utf-7"),  # UTF-7 for a lone surrogate: U+D800
    (b"rib\x07.pdf", "utf-8"),  # a control character
    (b"rib\n.pdf", "utf-8"),  # a line break
]


@pytest.mark.parametrize("filename, charset", BAD_FILENAMES)
def test_an_upload_whose_file_name_holds_a_nul_or_a_lone_surrogate_is_422_naming_file(
    api: Any, files: dict[str, Any], filename: bytes, charset: str
) -> None:
    draft = files["draft"]["id"]
    body, headers = _multipart({"kind": "budget"}, filename, api.pdf, charset)
    api.invalid(
        "file",
        "asso",
        "POST",
        f"/applications/{draft}/documents",
        content=body,
        headers=headers,
        watch=files["watch"],
    )
    # The same form with a plain name goes through.
    body, headers = _multipart({"kind": "budget"}, b"budget.pdf", api.pdf, charset)
    response = api.post("asso", f"/applications/{draft}/documents", content=body, headers=headers)
    assert api.ok(response, 201)["filename"] == "budget.pdf"


def test_the_document_service_refuses_such_names_before_writing_any_file(
    api: Any, files: dict[str, Any]
) -> None:
    """The pages and the CLI reach `add_document` without the API's models."""
    import io

    with api.db.reading() as session:
        asso = Actor.of(_user(session, "asso"))
    before = api.snapshot(files["watch"])
    for name in (f"{SURROGATE}.pdf", "rib\x00.pdf", "rib\r\n.pdf"):
        with pytest.raises(InvalidInput) as refused:
            add_document(
                api.db,
                asso,
                files["draft"]["id"],
                "budget",
                name,
                io.BytesIO(api.pdf),
                api.settings,
            )
        assert [e.field for e in refused.value.errors] == ["file"]
    assert api.snapshot(files["watch"]) == before


def _user(session: Any, username: str) -> User:
    from sqlmodel import select

    return session.exec(select(User).where(User.username == username)).one()


def test_text_parameters_of_the_query_path_and_headers_are_refused_naming_them(
    api: Any, files: dict[str, Any]
) -> None:
    eligible, draft = files["eligible"]["id"], files["draft"]["id"]
    watch = files["watch"]
    api.invalid("state", "chair", "GET", "/applications?state=draft%00")
    api.invalid(
        "funder",
        "caf1",
        "POST",
        f"/applications/{eligible}/shares/caf%00/propose",
        json={"amount": "10.00"},
        watch=watch,
    )
    api.invalid(
        "Idempotency-Key",
        "asso",
        "POST",
        f"/applications/{draft}/submit",
        headers={"Idempotency-Key": "cle\x7f"},
        watch=watch,
    )


def test_signing_in_with_a_name_no_account_can_have_is_422_and_records_nothing(
    api: Any,
) -> None:
    client = api.client

    def failures() -> int:
        with api.db.reading() as session:
            return int(session.execute(text("SELECT count(*) FROM login_failures")).scalar_one())

    before = failures()
    response = client.post(
        "/api/v1/auth/token", data={"username": "asso\x00", "password": "x" * 12}
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["username"]
    body, headers = _multipart({"username": "+2AA-asso", "password": "y" * 12}, b"x", b"", "utf-7")
    # The multipart form also carries a file part: the route reads the two text fields only.
    response = client.post("/api/v1/auth/token", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert "username" in response.json()["detail"]
    assert failures() == before


def test_the_cli_and_the_services_refuse_such_text_in_user_accounts(api: Any) -> None:
    """`cofinance users add` passes argv, where bytes that are not UTF-8 become surrogates."""
    before = api.counts()
    for kwargs, field in (
        ({"username": "\udcffasso"}, "username"),
        ({"username": "nouveau", "name": "Nom\x00"}, "name"),
        ({"username": "nouveau", "email": f"{SURROGATE}@example.org"}, "email"),
        ({"username": "nouveau", "organisation": "Asso\nX"}, "organisation"),
        ({"username": "nouveau", "password": f"{SURROGATE}" * 12}, "password"),
    ):
        arguments: dict[str, Any] = {
            "username": "nouveau",
            "password": "correct horse battery staple",
            "organisation": "Asso",
            **kwargs,
        }
        with pytest.raises(InvalidInput) as refused:
            create_user(
                api.db,
                arguments.pop("username"),
                arguments.pop("password"),
                "applicant",
                **arguments,
            )
        assert field in [e.field for e in refused.value.errors]
    assert api.counts() == before


# ---------------------------------------------------------------- pages


def _page(api: Any, user: str, path: str, *, data: Any = None, **kwargs: Any) -> Any:
    token = api.headers[user]["Authorization"].removeprefix("Bearer ")
    headers = dict(kwargs.pop("headers", {}))
    headers["Cookie"] = f"cofinance_csrf={PAGE_CSRF}; cofinance_session={token}"
    api.client.cookies.clear()
    if data is not None:
        data = {**data, "csrf_token": PAGE_CSRF}
    return api.client.post(path, data=data, headers=headers, follow_redirects=False, **kwargs)


def test_page_forms_refuse_such_text_with_a_french_page_and_change_nothing(
    api: Any, files: dict[str, Any]
) -> None:
    draft, eligible = files["draft"]["id"], files["eligible"]["id"]
    before = api.snapshot(files["watch"])
    for user, path, data in (
        ("asso", f"/dossiers/{draft}/retirer", {"reason": "Abandon\x00"}),
        (
            "caf1",
            f"/dossiers/{eligible}/parts/caf/proposer",
            {"amount": "10", "comment": "Avis\x00"},
        ),
        ("chair", f"/dossiers/{eligible}/demander-pieces", {"reason": "RIB\x00"}),
    ):
        response = _page(api, user, path, data=data)
        assert response.status_code == 422, (path, response.status_code)
        assert "caractère nul" in response.text, path
    # Lone surrogates come in a multipart form that declares UTF-7; the form is never shown back.
    for user, path, fields in (
        ("asso", f"/dossiers/{draft}/retirer", {"reason": "+2AA-"}),
        ("caf1", f"/dossiers/{eligible}/parts/caf/proposer", {"amount": "10", "comment": "+2AA-"}),
    ):
        body, headers = _multipart({**fields, "csrf_token": PAGE_CSRF}, b"", b"", "utf-7")
        response = _page(api, user, path, content=body, headers=headers)
        assert response.status_code == 422, (path, response.status_code)
        assert "caractère invalide (U+D800)" in response.text, path
    # A file name that cannot be stored.
    body, headers = _multipart(
        {"kind": "budget", "csrf_token": PAGE_CSRF}, b"+2AA-.pdf", api.pdf, "utf-7"
    )
    response = _page(api, "asso", f"/dossiers/{draft}/pieces", content=body, headers=headers)
    assert response.status_code == 422, response.status_code
    assert "caractère invalide (U+D800)" in response.text
    # A one-line field with a line break reaches the service, which refuses it beside the field.
    response = _page(
        api,
        "chair",
        "/seances/nouvelle",
        data={
            "call_ids": str(files["call"]["id"]),
            "title": "Séance\r\nBcc: x@example.org",
            "starts_at": "2027-01-15T14:00",
            "location": "Grenoble",
        },
    )
    assert response.status_code == 422, response.status_code
    assert "Ce champ tient sur une seule ligne" in response.text
    assert api.snapshot(files["watch"]) == before


# ---------------------------------------------------------------- the period


def test_a_period_ending_before_it_starts_is_refused_naming_its_end(
    api: Any, files: dict[str, Any]
) -> None:
    period = {"start": "2027-06-01", "end": "2027-05-31"}
    body = copy.deepcopy(api.body())
    body["period"] = period
    call_id, draft = files["call"]["id"], files["draft"]["id"]
    field = "application.period.end"
    response = api.invalid(
        field,
        "asso",
        "POST",
        "/applications",
        json={"call_id": call_id, "title": "Café", "application": body},
        watch=files["watch"],
    )
    assert "01/06/2027" in response.json()["detail"]
    assert response.json()["errors"][0]["code"] == "period_end_before_start"
    api.invalid(
        field,
        "asso",
        "PATCH",
        f"/applications/{draft}",
        json={"application": body},
        watch=files["watch"],
    )
    api.invalid(
        field,
        None,
        "POST",
        "/rules/evaluate",
        json={"scheme": "reaap", "date": "2027-01-20", "application": body},
    )
    # The holder's form says it beside the field, in French.
    form = {
        "title": "Café",
        "application.period.start": "2027-06-01",
        "application.period.end": "2027-05-31",
    }
    response = _page(api, "asso", f"/dossiers/{draft}/modifier", data=form)
    assert response.status_code == 422, response.status_code
    shown = html.unescape(response.text)
    assert "La fin de l'action ne peut pas précéder son début (01/06/2027)." in shown
    # A single day is a period.
    body["period"] = {"start": "2027-06-01", "end": "2027-06-01"}
    patched = api.ok(api.patch("asso", f"/applications/{draft}", json={"application": body}))
    assert patched["application"]["period"] == body["period"]


def test_calls_closing_before_they_open_are_refused_naming_closes_at(api: Any) -> None:
    body = api.call_body()
    body["opens_at"], body["closes_at"] = body["closes_at"], body["opens_at"]
    api.invalid("closes_at", "chair", "POST", "/calls", json=body)
