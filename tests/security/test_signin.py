"""Sign-in hardening: throttling, identical answers, logout, events that cannot be rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import PASSWORD


def _login(client, username: str, password: str):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_unknown_and_known_users_get_the_same_answer(seeded):
    unknown = _login(seeded.client, "nobody", "wrong password here")
    known = _login(seeded.client, "asso", "wrong password here")
    assert unknown.status_code == known.status_code == 401
    assert unknown.json() == known.json()


def test_repeated_failures_on_one_account_are_throttled_even_with_the_right_password(seeded):
    for _ in range(5):
        assert _login(seeded.client, "asso", "not the password at all").status_code == 401
    throttled = _login(seeded.client, "asso", PASSWORD)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "too_many_requests"
    # Another account from the same address is not locked out by that.
    assert _login(seeded.client, "other", PASSWORD).status_code == 200


def test_logout_invalidates_the_token(seeded):
    headers = seeded.token("caf1")
    assert seeded.client.get("/api/v1/funders", headers=headers).status_code == 200
    assert seeded.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    after = seeded.client.get("/api/v1/funders", headers=headers)
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == "Bearer"


def test_short_passwords_are_refused_and_long_ones_accepted(db):
    from engine.rulebook import InvalidInput
    from engine.services.accounts import create_user

    with pytest.raises(InvalidInput, match="password"):
        create_user(db, "shorty", "elevenchars", "chair")
    create_user(db, "longpass", "x" * 500, "chair")


def test_api_answers_carry_security_headers(seeded):
    response = seeded.client.get("/api/v1/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "statement", ["UPDATE events SET reason = 'rewritten'", "DELETE FROM events"]
)
def test_events_cannot_be_rewritten_or_deleted(seeded, db, statement):
    with db.transaction() as session:
        count = session.execute(text("SELECT count(*) FROM events")).scalar_one()
    assert count > 0
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
        session.execute(text(statement))
    with db.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM events")).scalar_one() == count
        assert (
            session.execute(
                text("SELECT count(*) FROM events WHERE reason = 'rewritten'")
            ).scalar_one()
            == 0
        )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/applications", {"call_id": 2**40, "title": "x", "application": {}}, "call_id"),
        (
            "/api/v1/sessions",
            {
                "call_id": 1,
                "title": "Séance\x00",
                "starts_at": "2027-01-01T10:00:00",
                "location": "Grenoble",
            },
            "title",
        ),
        (
            "/api/v1/calls",
            {
                "scheme": "reaap",
                "title": "t",
                "opens_at": "2027-01-01T00:00:00",
                "closes_at": "9999-12-31T23:59:59-12:00",
                "funders": [{"funder": "caf", "envelope": "1"}],
            },
            "closes_at",
        ),
    ],
)
def test_values_beyond_what_the_database_holds_are_refused_naming_the_field(
    seeded, path, body, field
):
    who = "asso" if path.endswith("applications") else "chair"
    response = seeded.client.post(path, json=body, headers=seeded.headers[who])
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_an_id_beyond_the_database_range_in_a_path_is_a_client_error(seeded):
    response = seeded.client.get(f"/api/v1/applications/{2**63}", headers=seeded.headers["chair"])
    assert response.status_code in (404, 422)


def test_an_unknown_page_address_gets_a_french_page_and_an_unknown_api_path_json(seeded):
    page = seeded.client.get("/cette-page-n-existe-pas")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "introuvable" in page.text.lower()
    api = seeded.client.get("/api/v1/nothing-here")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"
