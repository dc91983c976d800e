"""In-app notifications (`/api/v1/notifications`, each user their own) and the outbox seen by the
administrator (`/api/v1/outbox`: failed messages with their error, retried by hand)."""

from __future__ import annotations

from typing import Any

from engine.db import Database
from engine.notify.deliver import dispatch_outbox
from engine.settings import Settings
from tests.engine.notify.world import SmtpServer

API = "/api/v1"


def test_each_user_lists_only_their_own_notifications_and_marks_them_read(api: Any) -> None:
    call = api.call()
    application = api.eligible(call["id"])

    mine = api.ok(api.get("asso", "/notifications"))
    assert (mine["total"], mine["unread"]) == (1, 1)
    (receipt,) = mine["items"]
    assert receipt["kind"] == "submission_receipt" and receipt["read"] is False
    assert application["reference"] in receipt["title"]
    assert receipt["application_id"] == application["id"]
    assert "Bonjour" in receipt["body"]
    assert api.ok(api.get("other", "/notifications"))["items"] == []
    assert api.get(None, "/notifications").status_code == 401

    path = f"/notifications/{receipt['id']}/read"
    assert api.post("other", path).status_code == 404  # not theirs: not even seen to exist
    read = api.ok(api.post("asso", path))
    assert read["read"] is True and read["read_at"]
    assert api.ok(api.post("asso", path))["read_at"] == read["read_at"]  # marking twice: same
    assert api.ok(api.get("asso", "/notifications", params={"unread": "true"}))["items"] == []
    assert api.ok(api.get("asso", "/notifications"))["unread"] == 0
    assert api.post("asso", "/notifications/999999/read").status_code == 404


def test_read_all_marks_every_unread_notification_of_the_user_only(api: Any) -> None:
    call = api.call()
    for title in ("Café des parents", "Ludothèque"):
        api.eligible(call["id"], title=title)
    api.eligible(call["id"], user="other", title="Maison des familles")
    assert api.ok(api.get("asso", "/notifications"))["unread"] == 2
    assert api.ok(api.post("asso", "/notifications/read-all")) == {"marked": 2, "unread": 0}
    assert api.ok(api.get("asso", "/notifications"))["unread"] == 0
    assert api.ok(api.get("other", "/notifications"))["unread"] == 1


def test_the_admin_sees_failed_messages_with_their_error_and_retries_them_by_hand(
    api: Any, db: Database, settings: Settings
) -> None:
    call = api.call()
    api.eligible(call["id"])
    server = SmtpServer()  # not started yet: its port refuses connections
    settings.smtp_url = server.url
    settings.outbox_max_attempts = 1
    dispatch_outbox(db, settings)

    assert api.get("chair", "/outbox", params={"state": "failed"}).status_code == 403
    assert api.get("asso", "/outbox").status_code == 403
    assert api.get(None, "/outbox").status_code == 401
    assert api.get("admin", "/outbox", params={"state": "lost"}).status_code == 422
    failed = api.ok(api.get("admin", "/outbox", params={"state": "failed"}))
    assert failed["total"] == 1
    (row,) = failed["items"]
    assert row["kind"] == "submission_receipt" and row["recipient"] == "asso@example.org"
    assert row["attempts"] == 1 and "Connection refused" in row["last_error"]
    assert row["message_id"].startswith("<") and row["sent_at"] is None
    alerts = api.ok(api.get("admin", "/notifications"))["items"]
    assert [a["kind"] for a in alerts] == ["outbox_failed"]

    retry = f"/outbox/{row['id']}/retry"
    assert api.post("chair", retry).status_code == 403
    again = api.ok(api.post("admin", retry))
    assert again["state"] == "pending" and again["message_id"] == row["message_id"]
    assert api.post("admin", retry).status_code == 409  # pending already
    assert api.post("admin", "/outbox/999999/retry").status_code == 404

    server.start()
    try:
        assert dispatch_outbox(db, settings) == 1
    finally:
        server.stop()
    assert server.recorder.message_ids() == [row["message_id"]]
    sent = api.ok(api.get("admin", "/outbox", params={"state": "sent"}))["items"]
    assert [(s["id"], s["state"], s["attempts"]) for s in sent] == [(row["id"], "sent", 2)]
    assert api.ok(api.get("admin", "/outbox", params={"state": "failed"}))["total"] == 0
    # A sent message cannot be sent again: the state is wrong for a retry.
    answer = api.post("admin", retry)
    assert (answer.status_code, answer.json()["code"]) == (409, "wrong_state")
