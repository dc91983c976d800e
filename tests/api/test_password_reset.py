"""A forgotten password: a neutral answer, a single-use link by email that expires, a new
password that ends every session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from engine import clock, models
from engine.notify.deliver import dispatch_outbox
from tests.conftest import PASSWORD
from tests.engine.notify.world import SmtpServer

RESET = "/auth/password-reset"
NEW = "a brand new password 2027"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def ask(api: Any, username: str, **kwargs: Any) -> Any:
    return api.post(None, RESET, json={"username": username}, **kwargs)


def confirm(api: Any, token: str, password: str = NEW) -> Any:
    return api.post(None, f"{RESET}/confirm", json={"token": token, "password": password})


def sign_in(api: Any, username: str, password: str) -> int:
    response = api.client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    return int(response.status_code)


def reset_emails(api: Any) -> list[models.OutboxMessage]:
    with api.db.reading() as session:
        return list(
            session.exec(
                select(models.OutboxMessage)
                .where(models.OutboxMessage.kind == "password_reset")
                .order_by(models.OutboxMessage.id)  # type: ignore[arg-type]
            )
        )


def token_of(message: models.OutboxMessage) -> str:
    found = re.search(r"/mot-de-passe/nouveau\?jeton=([A-Za-z0-9_\-]+)", message.body_text)
    assert found, message.body_text
    return found.group(1)


def test_known_and_unknown_accounts_get_the_same_answer_and_only_known_ones_an_email(
    api: Any,
) -> None:
    known = ask(api, "asso")
    by_email = ask(api, "caf1@example.org")
    unknown = ask(api, "nobody")
    unknown_email = ask(api, "nobody@example.org")
    answers = {(r.status_code, r.text) for r in (known, by_email, unknown, unknown_email)}
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 202 and "Si un compte correspond" in body
    emails = reset_emails(api)
    assert [m.recipient for m in emails] == ["asso@example.org", "caf1@example.org"]
    # Only the token's hash is stored.
    with api.db.reading() as session:
        rows = session.exec(select(models.PasswordReset)).all()
    token = token_of(emails[0])
    assert all(token not in (r.token_hash or "") for r in rows)
    assert sum(1 for r in rows if r.token_hash) == 2


def test_the_email_reaches_a_real_smtp_server_and_its_link_sets_a_new_password(
    api: Any, smtp: SmtpServer
) -> None:
    old_headers = dict(api.headers["asso"])
    assert api.ok(ask(api, "asso"), 202)
    settings = api.settings.model_copy(update={"smtp_url": smtp.url})
    assert dispatch_outbox(api.db, settings) == 1
    [message] = smtp.messages
    assert message["To"] == "asso@example.org"
    assert message["Subject"] == "Choisir un nouveau mot de passe"
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"(http\S+/mot-de-passe/nouveau\?jeton=(\S+))", text)
    assert link and link.group(1).startswith(api.settings.base_url)
    token = link.group(2)

    answer = api.ok(confirm(api, token))
    assert "mot de passe est changé" in answer["detail"]
    assert sign_in(api, "asso", PASSWORD) == 401
    assert sign_in(api, "asso", NEW) == 200
    # Every token issued before stops working.
    assert api.client.get("/api/v1/applications", headers=old_headers).status_code == 401
    # The link works once.
    api.invalid("token", None, "POST", f"{RESET}/confirm", json={"token": token, "password": NEW})


def test_the_link_expires_after_the_configured_delay(api: Any) -> None:
    ask(api, "asso")
    token = token_of(reset_emails(api)[0])
    minutes = api.settings.password_reset_minutes
    with clock.at(clock.now() + timedelta(minutes=minutes, seconds=1)):
        refused = confirm(api, token)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "token"
    assert "plus valable" in refused.json()["errors"][0]["message"]
    with clock.at(clock.now() + timedelta(minutes=minutes - 1)):
        assert confirm(api, token).status_code == 200


def test_asking_again_or_changing_the_password_kills_the_earlier_links(api: Any) -> None:
    ask(api, "asso")
    ask(api, "asso")
    first, second = (token_of(m) for m in reset_emails(api))
    assert confirm(api, first).status_code == 422
    ask(api, "asso")
    third = token_of(reset_emails(api)[-1])
    assert confirm(api, second).status_code == 422
    assert confirm(api, third).status_code == 200


def test_a_short_password_is_refused_and_the_link_still_works(api: Any) -> None:
    ask(api, "asso")
    token = token_of(reset_emails(api)[0])
    api.invalid(
        "password", None, "POST", f"{RESET}/confirm", json={"token": token, "password": "short"}
    )
    assert confirm(api, token).status_code == 200


def test_requests_are_throttled_per_account_with_the_same_answer_known_or_not(api: Any) -> None:
    limit = api.settings.password_resets_per_account
    for name in ("asso", "nobody"):
        for _ in range(limit):
            assert ask(api, name).status_code == 202
        known = ask(api, name)
        assert known.status_code == 429
        assert known.json()["code"] == "too_many_requests"
        assert int(known.headers["Retry-After"]) > 0
    assert len(reset_emails(api)) == limit
    assert ask(api, "other").status_code == 202  # another account is not held up


def test_a_deactivated_account_gets_no_link_and_its_pending_link_dies(api: Any) -> None:
    ask(api, "asso")
    token = token_of(reset_emails(api)[0])
    users = api.ok(api.get("admin", "/users"))
    uid = next(u["id"] for u in users if u["username"] == "asso")
    api.ok(api.post("admin", f"/users/{uid}/deactivate"))
    assert confirm(api, token).status_code == 422
    assert ask(api, "asso").status_code == 202
    assert len(reset_emails(api)) == 1
    # Reactivated, the account does not get the old link back.
    api.ok(api.post("admin", f"/users/{uid}/reactivate"))
    assert confirm(api, token).status_code == 422


def test_the_administrator_sends_a_reset_link_and_the_outbox_masks_it(api: Any) -> None:
    users = api.ok(api.get("admin", "/users"))
    uid = next(u["id"] for u in users if u["username"] == "caf1")
    api.ok(api.post("admin", f"/users/{uid}/password-reset"))
    [message] = reset_emails(api)
    shown = api.ok(api.get("admin", f"/outbox/{message.id}"))
    assert token_of(message) not in shown["body_text"]
    assert "jeton=[masqué]" in shown["body_text"]
    assert api.post("chair", f"/users/{uid}/password-reset").status_code == 403
