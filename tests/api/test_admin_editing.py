"""The administrator edits accounts, funders and calls, and reads the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from engine import models
from tests.api.test_plugin_package import page
from tests.conftest import PASSWORD


def user_id(api: Any, username: str) -> int:
    users = api.ok(api.get("admin", "/users"))
    return next(u["id"] for u in users if u["username"] == username)


def test_the_administrator_edits_a_user_and_only_what_is_sent_changes(api: Any) -> None:
    uid = user_id(api, "caf2")
    edited = api.ok(
        api.patch("admin", f"/users/{uid}", json={"name": "Claire Martin", "email": "c@caf.fr"})
    )
    assert edited["name"] == "Claire Martin"
    assert edited["email"] == "c@caf.fr"
    assert edited["role"] == "funder" and edited["funder"] == "caf"
    titled = api.ok(api.patch("admin", f"/users/{uid}", json={"title": "Chargée de mission"}))
    assert titled["title"] == "Chargée de mission"
    assert api.get("caf2", "/applications").status_code == 200  # a title ends no session
    moved = api.ok(api.patch("admin", f"/users/{uid}", json={"funder": "msa"}))
    assert moved["funder"] == "msa" and moved["name"] == "Claire Martin"
    # A change of attachment ends the tokens issued before it.
    assert api.get("caf2", "/applications").status_code == 401
    with api.db.reading() as session:
        events = session.exec(
            select(models.Event).where(models.Event.entity == "user", models.Event.entity_id == uid)
        ).all()
    assert [e.action for e in events] == ["update", "update", "update"]


def test_a_user_edit_with_bad_values_is_refused_naming_the_field(api: Any) -> None:
    uid = user_id(api, "caf2")
    api.invalid("funder", "admin", "PATCH", f"/users/{uid}", json={"funder": "nobody"})
    api.invalid("email", "admin", "PATCH", f"/users/{uid}", json={"email": "not an email"})
    api.invalid("role", "admin", "PATCH", f"/users/{uid}", json={"role": "king"})
    api.invalid("organisation", "admin", "PATCH", f"/users/{uid}", json={"role": "applicant"})
    assert api.patch("chair", f"/users/{uid}", json={"name": "X"}).status_code == 403
    assert api.patch("admin", "/users/999999", json={"name": "X"}).status_code == 404


def test_a_deactivated_user_cannot_sign_in_and_its_old_token_is_refused(api: Any) -> None:
    uid = user_id(api, "asso")
    assert api.get("asso", "/applications").status_code == 200
    out = api.ok(api.post("admin", f"/users/{uid}/deactivate"))
    assert out["active"] is False
    assert api.get("asso", "/applications").status_code == 401
    signin = api.client.post("/api/v1/auth/token", data={"username": "asso", "password": PASSWORD})
    assert signin.status_code == 401
    assert api.post("admin", f"/users/{uid}/deactivate").status_code == 409
    # The administrator cannot lock themself out.
    assert api.post("admin", f"/users/{user_id(api, 'admin')}/deactivate").status_code == 409
    assert api.ok(api.post("admin", f"/users/{uid}/reactivate"))["active"] is True
    signin = api.client.post("/api/v1/auth/token", data={"username": "asso", "password": PASSWORD})
    assert signin.status_code == 200


def test_the_administrator_edits_and_deactivates_a_funder(api: Any) -> None:
    call = api.call()
    funder = api.ok(
        api.patch(
            "admin",
            "/funders/msa",
            json={"name": "MSA des Alpes du Nord", "email": "msa@msa.fr", "advance_rate": "0.5"},
        )
    )
    assert funder["name"] == "MSA des Alpes du Nord"
    assert funder["advance_rate"] == "0.5000" and funder["email"] == "msa@msa.fr"
    api.invalid("kind", "admin", "PATCH", "/funders/msa", json={"kind": "nothing"})
    assert api.patch("chair", "/funders/msa", json={"name": "X"}).status_code == 403
    assert api.patch("admin", "/funders/nobody", json={"name": "X"}).status_code == 404

    assert api.ok(api.post("admin", "/funders/grenoble/deactivate"))["active"] is False
    assert api.post("admin", "/funders/grenoble/deactivate").status_code == 409
    # No longer offered to a new call, nor to an open one...
    api.invalid(
        "funders.0.funder", "chair", "POST", "/calls", json=api.call_body({"grenoble": "10.00"})
    )
    funders = [*api.ENVELOPES.items(), ("grenoble", "10.00")]
    body = {"funders": [{"funder": f, "envelope": a} for f, a in funders]}
    api.invalid("funders.4.funder", "chair", "PATCH", f"/calls/{call['id']}", json=body)
    # ... while the calls it already takes part in keep working.
    assert api.ok(api.post("admin", "/funders/msa/deactivate"))["active"] is False
    application = api.eligible(call["id"])
    assert api.share(application, "msa")["requested"] == "200.00"


def test_an_open_call_changes_its_title_deadline_and_envelopes_and_a_new_funder_joins(
    api: Any,
) -> None:
    call = api.call()
    api.eligible(call["id"])  # files filed against it already
    created = api.ok(
        api.post(
            "admin",
            "/funders",
            json={"code": "voiron", "name": "Ville de Voiron", "kind": "commune", "insee": "38563"},
        ),
        201,
    )
    assert created["active"] is True
    closes = (datetime.now(UTC) + timedelta(days=90)).replace(microsecond=0)
    funders = [*api.ENVELOPES.items(), ("voiron", "8000.00")]
    edited = api.ok(
        api.patch(
            "chair",
            f"/calls/{call['id']}",
            json={
                "title": "Reaap 2027 (prolongé)",
                "closes_at": closes.isoformat(),
                "funders": [
                    {"funder": f, "envelope": "60000.00" if f == "caf" else a} for f, a in funders
                ],
            },
        )
    )
    assert edited["title"] == "Reaap 2027 (prolongé)"
    assert datetime.fromisoformat(edited["closes_at"]) == closes
    assert {f["funder"]: f["envelope"] for f in edited["funders"]} == {
        **api.ENVELOPES,
        "caf": "60000.00",
        "voiron": "8000.00",
    }
    assert edited["version"] > call["version"]
    # A new file of the open call may ask the funder that joined.
    body = api.body(requests={"caf": "3000.00", "voiron": "500.00"})
    application = api.submitted(call["id"], body, title="Ateliers à Voiron")
    assert api.share(application, "voiron")["requested"] == "500.00"


def test_what_an_open_or_closed_call_may_not_change_is_refused_with_409(api: Any) -> None:
    call = api.call()
    path = f"/calls/{call['id']}"
    refused = api.refused(409, "chair", "PATCH", path, json={"scheme": "clas"})
    assert "dispositif" in refused.json()["detail"]
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    api.refused(409, "chair", "PATCH", path, json={"opens_at": later})
    fewer = {"funders": [{"funder": "caf", "envelope": "1.00"}]}
    refused = api.refused(409, "chair", "PATCH", path, json=fewer)
    assert "retiré" in refused.json()["detail"]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    api.invalid("closes_at", "chair", "PATCH", path, json={"closes_at": past})
    api.refused(409, "chair", "PATCH", path, json={"title": "Ancien"}, headers={"If-Match": "1"})
    api.refused(403, "caf1", "PATCH", path, json={"title": "X"})
    api.ok(api.post("chair", f"{path}/close"))
    api.refused(409, "chair", "PATCH", path, json={"title": "Trop tard"})


def test_a_draft_call_may_change_in_everything(api: Any) -> None:
    call = api.call(open_it=False)
    edited = api.ok(
        api.patch(
            "admin",
            f"/calls/{call['id']}",
            json={"scheme": "clas", "funders": [{"funder": "caf", "envelope": "100.00"}]},
        )
    )
    assert edited["scheme"] == "clas"
    assert edited["funders"] == [{"funder": "caf", "envelope": "100.00"}]


def test_the_outbox_lists_newest_first_and_shows_a_message_with_its_content(api: Any) -> None:
    call = api.call()
    api.eligible(call["id"], title="Premier")
    api.eligible(call["id"], title="Second")
    listing = api.ok(api.get("admin", "/outbox"))
    moments = [datetime.fromisoformat(i["created_at"]) for i in listing["items"]]
    assert moments == sorted(moments, reverse=True) and len(moments) >= 2
    newest = listing["items"][0]
    message = api.ok(api.get("admin", f"/outbox/{newest['id']}"))
    assert message["subject"] == newest["subject"]
    assert message["recipients"] == [newest["recipient"]]
    assert "Second" in message["body_text"]
    assert message["state"] == "pending" and message["attempts"] == 0
    assert message["last_error"] is None
    assert api.get("chair", f"/outbox/{newest['id']}").status_code == 403
    assert api.get("admin", "/outbox/999999").status_code == 404


def test_a_deactivated_funder_is_not_offered_on_the_new_call_page_but_stays_on_its_calls(
    api: Any,
) -> None:
    call = api.call()
    api.ok(api.post("admin", "/funders/msa/deactivate"))
    new_call = page(api, "chair", "/appels/nouveau")
    assert "MSA Alpes du Nord" not in new_call
    assert "Caf de l'Isère" in new_call
    # The open call it takes part in keeps it, marked as deactivated.
    edit = page(api, "chair", f"/admin/appels/{call['id']}")
    assert "MSA Alpes du Nord (€) — désactivé" in edit
    listing = page(api, "admin", "/admin/financeurs")
    assert "Désactivé" in listing
