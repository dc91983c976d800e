"""Authentication and error hardening: argon2id, password length, throttling per account and
per address, identical answers, token and page session expiry, logout, security headers, no
traceback in any error, database outages as 503, the API docs switched off."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from engine.db import Database
from engine.models import User
from engine.settings import Settings, get_settings
from tests.conftest import PASSWORD

TOKEN = "/api/v1/auth/token"


def make_client(
    settings: Settings, db: Database, *, address: str = "testclient", **kwargs: Any
) -> TestClient:
    from api.deps import database
    from api.main import create_app

    app = create_app()
    app.dependency_overrides[get_settings] = lambda: settings
    app.dependency_overrides[database] = lambda: db
    return TestClient(app, client=(address, 50000), **kwargs)


def login(client: TestClient, username: str, password: str) -> Any:
    return client.post(TOKEN, data={"username": username, "password": password})


# ---------------------------------------------------------------- passwords


def test_passwords_are_hashed_with_argon2id(seeded: Any, db: Database) -> None:
    from argon2 import Type

    from engine.services import accounts

    with db.reading() as session:
        hashes = [u.password_hash for u in session.exec(select(User))]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert PASSWORD not in "".join(hashes)
    # The production hasher (the tests swap in a cheaper cost, same algorithm).
    assert accounts.PasswordHasher().type is Type.ID


@pytest.mark.parametrize(
    ("length", "accepted"), [(11, False), (12, True), (200, True), (1024, True), (1025, False)]
)
def test_passwords_need_twelve_characters_and_long_ones_are_accepted(
    seeded: Any, db: Database, length: int, accepted: bool
) -> None:
    from engine.rulebook import InvalidInput
    from engine.services.accounts import create_user

    password = ("é" + "x" * length)[:length]
    if not accepted:
        with pytest.raises(InvalidInput, match="password"):
            create_user(db, f"u{length}", password, "chair")
        return
    create_user(db, f"u{length}", password, "chair")
    assert login(seeded.client, f"u{length}", password).status_code == 200
    assert login(seeded.client, f"u{length}", password[:-1] + "?").status_code == 401


# ---------------------------------------------------------------- throttling, same answers


def test_failures_from_one_address_are_throttled_across_accounts(
    seeded: Any, settings: Settings, db: Database
) -> None:
    settings.login_failures_per_address = 6
    attacker = make_client(settings, db, address="203.0.113.7")
    for index in range(6):
        username = ("asso", "other", "chair", "nobody", "caf1", "admin")[index]
        assert login(attacker, username, "guessed password!").status_code == 401
    # Even the right password is refused from that address now, for any account…
    throttled = login(attacker, "dep1", PASSWORD)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "too_many_requests"
    # …and the same answer whether the account exists or not.
    assert login(attacker, "nobody-at-all", PASSWORD).json() == throttled.json()
    # Another address is not locked out by it.
    assert (
        login(make_client(settings, db, address="198.51.100.2"), "dep1", PASSWORD).status_code
        == 200
    )


def test_failures_on_one_account_are_throttled_from_every_address(
    seeded: Any, settings: Settings, db: Database
) -> None:
    for index in range(settings.login_failures_per_account):
        client = make_client(settings, db, address=f"203.0.113.{index + 1}")
        assert login(client, "asso", "guessed password!").status_code == 401
    elsewhere = make_client(settings, db, address="198.51.100.9")
    assert login(elsewhere, "asso", PASSWORD).status_code == 429
    # The page answers the same way (in French), without saying whether the account exists.
    page = elsewhere.get("/connexion")
    csrf = page.cookies.get("cofinance_csrf") or elsewhere.cookies.get("cofinance_csrf")
    form = {"username": "asso", "password": PASSWORD, "csrf_token": csrf}
    assert elsewhere.post("/connexion", data=form).status_code == 429


def test_unknown_and_known_users_get_the_same_answers_on_the_api_and_the_pages(
    seeded: Any,
) -> None:
    client = seeded.client
    unknown, known = login(client, "nobody", "wrong password!"), login(client, "asso", "wrong!!")
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert unknown.headers["www-authenticate"] == known.headers["www-authenticate"]
    answers = []
    for username in ("nobody", "asso"):
        client.cookies.clear()
        client.get("/connexion")
        csrf = client.cookies.get("cofinance_csrf")
        page = client.post(
            "/connexion", data={"username": username, "password": "wrong!!", "csrf_token": csrf}
        )
        answers.append((page.status_code, "Identifiant ou mot de passe incorrect." in page.text))
    assert answers == [(401, True), (401, True)]


# ---------------------------------------------------------------- expiry and logout


def test_tokens_and_page_sessions_expire(seeded: Any, settings: Settings) -> None:
    client = seeded.client
    headers = seeded.token("caf1")
    token = headers["Authorization"].removeprefix("Bearer ")
    cookie = {"Cookie": f"cofinance_session={token}"}
    assert client.get("/api/v1/funders", headers=headers).status_code == 200
    assert client.get("/financeur/dossiers", headers=cookie).status_code == 200
    later = datetime.now(UTC) + timedelta(minutes=settings.token_minutes, seconds=5)
    with time_machine.travel(later, tick=False):
        expired = client.get("/api/v1/funders", headers=headers)
        assert expired.status_code == 401
        assert expired.json()["code"] == "unauthenticated"
        client.cookies.clear()
        page = client.get("/financeur/dossiers", headers=cookie, follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/connexion")


def test_signing_out_of_the_pages_ends_every_session_of_that_user(seeded: Any) -> None:
    client = seeded.client
    api_headers = seeded.token("dep1")
    token = seeded.token("dep1")["Authorization"].removeprefix("Bearer ")
    client.cookies.clear()
    client.get("/connexion")
    csrf = client.cookies.get("cofinance_csrf")
    cookie = f"cofinance_session={token}; cofinance_csrf={csrf}"
    out = client.post(
        "/deconnexion",
        data={"csrf_token": csrf},
        headers={"Cookie": cookie},
        follow_redirects=False,
    )
    assert out.status_code == 303
    assert client.get("/api/v1/funders", headers=api_headers).status_code == 401
    client.cookies.clear()
    again = client.get(
        "/financeur/dossiers",
        headers={"Cookie": f"cofinance_session={token}"},
        follow_redirects=False,
    )
    assert again.status_code == 303


# ---------------------------------------------------------------- headers


def test_pages_and_api_answers_carry_the_security_headers(seeded: Any) -> None:
    client = seeded.client
    for path in ("/api/v1/health", "/connexion", "/api/v1/nowhere", "/nulle-part"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp or "default-src 'self'" in csp, path
        assert "'unsafe-eval'" not in csp, path
        assert "strict-transport-security" not in response.headers, path  # plain http here


def test_hsts_is_sent_over_https(settings: Settings, db: Database) -> None:
    over_https = make_client(settings, db, base_url="https://cofinance.example")
    hsts = over_https.get("/api/v1/health").headers["strict-transport-security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000
    get_settings.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("COFINANCE_BASE_URL", "https://comite.example.org")
            behind_proxy = make_client(settings, db)  # TLS ends at a proxy: http inside
            assert "strict-transport-security" in behind_proxy.get("/connexion").headers
    finally:
        get_settings.cache_clear()


# ---------------------------------------------------------------- errors


@pytest.fixture
def failing_app(settings: Settings, db: Database) -> Iterator[tuple[FastAPI, TestClient]]:
    client = make_client(settings, db, raise_server_exceptions=False)

    @client.app.get("/api/v1/boom")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("secret detail: /etc/passwd at line 42")

    @client.app.get("/boom-page")  # type: ignore[attr-defined]
    def boom_page() -> None:
        raise KeyError("secret detail")

    yield client.app, client  # type: ignore[misc]


def test_an_unexpected_error_is_a_json_500_without_details_logged_on_the_server(
    failing_app: tuple[FastAPI, TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    _, client = failing_app
    with caplog.at_level(logging.ERROR, logger="cofinance.errors"):
        for path in ("/api/v1/boom", "/boom-page"):
            response = client.get(path)
            assert response.status_code == 500
            assert response.json() == {
                "detail": "Erreur interne : elle a été consignée.",
                "code": "internal_error",
            }
            assert "secret" not in response.text and "Traceback" not in response.text
            assert response.headers["x-content-type-options"] == "nosniff"
    logged = [r for r in caplog.records if r.name == "cofinance.errors"]
    assert len(logged) == 2 and all(r.exc_info for r in logged)
    assert "secret detail" in caplog.text  # the details stay on the server


def test_no_error_answer_carries_a_traceback(seeded: Any) -> None:
    client = seeded.client
    headers = seeded.headers["chair"]
    answers = [
        client.get("/api/v1/applications/abc", headers=headers),
        client.get("/api/v1/nowhere"),
        client.delete("/api/v1/health"),
        client.post("/api/v1/calls", headers=headers, content=b"{not json"),
        client.post("/api/v1/calls", headers=headers, json={"funders": [None]}),
        client.get(f"/api/v1/letters/{2**70}", headers=headers),
        client.get("/dossiers/abc", headers={"Cookie": "cofinance_session=garbage"}),
        client.post(TOKEN, data={"username": "x" * 10_000, "password": "y"}),
    ]
    for response in answers:
        assert response.status_code < 500, response.text
        assert "Traceback" not in response.text and 'File "' not in response.text


def test_the_database_out_of_reach_is_a_503_with_a_json_body(
    seeded: Any, settings: Settings
) -> None:
    from api.deps import database

    unreachable = Database("postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2")
    client = make_client(settings, unreachable, raise_server_exceptions=False)
    client.app.dependency_overrides[database] = lambda: unreachable  # type: ignore[attr-defined]
    try:
        response = client.get("/api/v1/calls", headers=seeded.headers["chair"])
        assert response.status_code == 503
        assert response.json()["code"] == "unavailable"
        assert response.headers["retry-after"]
        assert "psycopg" not in response.text and "127.0.0.1" not in response.text
    finally:
        unreachable.dispose()


def test_the_api_docs_can_be_switched_off(settings: Settings, db: Database) -> None:
    get_settings.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("COFINANCE_API_DOCS", "false")
            client = make_client(settings, db)
            for path in ("/docs", "/openapi.json", "/redoc"):
                assert client.get(path).status_code == 404, path
            assert client.get("/api/v1/health").status_code == 200
    finally:
        get_settings.cache_clear()
    on = make_client(settings, db)
    assert on.get("/openapi.json").status_code == 200
