"""Lists read each file's rule result from its summary, kept with the result at every write."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from engine.models import Application, list_result


def listed(api: Any, user: str, application_id: int) -> dict[str, Any]:
    rows = api.ok(api.get(user, "/applications"))
    items = rows["items"] if isinstance(rows, dict) else rows
    return next(item for item in items if item["id"] == application_id)  # type: ignore[no-any-return]


def stored(api: Any, application_id: int) -> Application:
    with api.db.reading() as session:
        return session.exec(select(Application).where(Application.id == application_id)).one()


def test_the_lists_show_the_rule_result_of_the_last_submission(api: Any) -> None:
    call = api.call()
    application = api.submitted(call["id"], kinds=[k for k in api.KINDS if k != "rib"])
    aid = application["id"]
    for user in ("asso", "caf1", "chair"):
        row = listed(api, user, aid)
        assert (row["state"], row["eligibility"]["failed"]) == ("incomplete", ["G3"]), user

    api.ok(api.upload(aid, "rib"), 201)
    assert api.ok(api.submit(aid))["state"] == "eligible"
    for user in ("asso", "caf1", "chair"):
        row = listed(api, user, aid)
        assert (row["state"], row["eligibility"]["failed"]) == ("eligible", []), user

    # The summary is the result without its trace and per-funder detail, nothing else.
    row = stored(api, aid)
    assert row.result is not None and row.result_summary is not None
    assert row.result_summary == list_result(row.result)
    assert set(row.result) - set(row.result_summary) == {"trace", "shares"}


def test_a_file_moved_on_without_its_result_loaded_keeps_its_summary(api: Any) -> None:
    call = api.call()
    application = api.eligible(call["id"])
    before = stored(api, application["id"]).result_summary
    # The session's close reads its files without their results and moves them on.
    meeting = api.open_session(call["id"], [application["id"]])
    api.ok(api.decide(meeting["id"], application["id"], "caf", "granted", "3000.00"), 201)
    for funder in ("departement", "msa", "etat"):
        api.ok(api.decide(meeting["id"], application["id"], funder, "refused"), 201)
    api.move(meeting["id"], "close")
    row = stored(api, application["id"])
    assert row.state == "notified"
    assert row.result_summary == before == list_result(row.result)
