"""Agreements through the HTTP API: the kind by the yearly threshold cumulated across the
holder's applications, the convention PDF, its signature and countersignature, and the file's
funding read (`GET /applications/{id}/funding`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

OWN = Decimal("10000.00")  # the holder's own resources
HOLDER = {"asso@example.org"}  # the holder's user
CAF = {"caf1@example.org", "caf2@example.org", "caf@example.org"}  # its members and address


def notified(
    api: Any, call: dict[str, Any], caf: str, title: str, user: str = "asso", **others: str
) -> int:
    """A file asking the Caf for `caf` (and the others for their amounts, refused), granted in
    a session of its own, closed: the letters go out and the file is notified."""
    asked = sum((Decimal(a) for a in (caf, *others.values())), OWN)
    budget = {"total_cost": str(asked), "investment_costs": "0", "other_resources": str(OWN)}
    body = api.body(requests={"caf": caf, **others}, budget=budget)
    application = api.eligible(call["id"], body, title=title, user=user)
    meeting = api.open_session(call["id"], [application["id"]])
    api.ok(api.decide(meeting["id"], application["id"], "caf", "granted", caf), 201)
    for funder in others:
        api.ok(api.decide(meeting["id"], application["id"], funder, "refused"), 201)
    api.move(meeting["id"], "close")
    assert api.application(application["id"])["state"] == "notified"
    return int(application["id"])


def funding(api: Any, application_id: int, user: str = "asso") -> dict[str, Any]:
    return api.ok(api.get(user, f"/applications/{application_id}/funding"))  # type: ignore[no-any-return]


def test_a_grant_above_the_threshold_needs_a_convention_signed_then_countersigned(
    api: Any,
) -> None:
    siret = api.ok(api.patch("admin", "/funders/caf", json={"siret": "534 083 665 00016"}))
    assert siret["siret"] == "53408366500016"
    api.invalid("siret", "admin", "PATCH", "/funders/caf", json={"siret": "5340836"})
    # Fourteen digits whose key is wrong: refused, the open data would publish a false identity.
    api.invalid("siret", "admin", "PATCH", "/funders/caf", json={"siret": "53408366500013"})
    call = api.call()
    application_id = notified(api, call, "23500.00", "Café des parents", departement="1000.00")

    money = funding(api, application_id)
    [agreement] = money["agreements"]
    assert (agreement["funder"], agreement["kind"], agreement["state"], agreement["amount"]) == (
        "caf",
        "convention",
        "awaiting_signature",
        "23500.00",
    )
    assert money["payments"] == []  # nothing is paid before the convention is in force
    path = f"/agreements/{agreement['id']}"
    # The holder is told the convention waits for its signature, and where to find it.
    to_sign = api.queued("convention_to_sign")
    assert {m.recipient for m in to_sign} == HOLDER
    assert all(m.application_id == application_id for m in to_sign)
    assert "Convention à signer" in to_sign[0].subject
    assert "Caf de l'Isère vous a accordé 23\u202f500,00\xa0€" in to_sign[0].body_text

    # The convention, in French: the parties, the amount, the schedule, the report's due date.
    text = api.pdf_text(api.get("caf1", f"{path}/pdf").content)
    for words in (
        "Convention d'attribution de subvention",
        "Caf de l'Isère (SIRET 53408366500016)",
        "Café des parents de l'Abbaye",
        "subvention de 23 500,00 €",
        "Acompte (70 %) 16 450,00 €",
        "au plus tard le 15 juin 2028",
        "reverse les sommes perçues en trop",
        "Pour le bénéficiaire",
        "Pour le financeur",
    ):
        assert words in text, words
    assert api.get("other", f"{path}/pdf").status_code == 403
    assert api.get("ville1", f"{path}/pdf").status_code == 403  # not asked by this file

    # A signed copy that is not a PDF is refused, naming the file; so is a signature by others.
    png = {"file": ("convention.png", api.PNG, "image/png")}
    api.invalid("file", "asso", "POST", f"{path}/sign", files=png, watch=[application_id])
    text_file = {"file": ("convention.pdf", b"signed, promise", "application/pdf")}
    api.invalid("file", "asso", "POST", f"{path}/sign", files=text_file)
    signed_pdf = {"file": ("convention signée.pdf", api.pdf, "application/pdf")}
    api.refused(403, "caf1", "POST", f"{path}/sign", files=signed_pdf)
    api.refused(403, "other", "POST", f"{path}/sign", files=signed_pdf)
    api.refused(409, "caf1", "POST", f"{path}/countersign")  # the holder signs first

    assert api.queued("convention_signed") == []  # nothing was signed by the refusals
    signed = api.ok(api.post("asso", f"{path}/sign", files=signed_pdf))
    assert signed["state"] == "signed_by_holder" and signed["signed_at"]
    # The Caf's members (and its address), not the Département's, are asked to countersign.
    to_countersign = api.queued("convention_signed")
    assert {m.recipient for m in to_countersign} == CAF
    assert "à contresigner" in to_countersign[0].subject
    assert api.get("caf1", f"{path}/signed").content == api.pdf
    api.refused(409, "asso", "POST", f"{path}/sign", files=signed_pdf)

    # Only a member of that funder countersigns: the Département, asked by the file, may not.
    api.refused(403, "dep1", "POST", f"{path}/countersign")
    api.refused(403, "asso", "POST", f"{path}/countersign")
    in_force = api.ok(api.post("caf2", f"{path}/countersign"))
    assert in_force["state"] == "in_force" and in_force["countersigned_at"]

    money = funding(api, application_id, "chair")
    assert [(p["funder"], p["kind"], p["amount"], p["state"]) for p in money["payments"]] == [
        ("caf", "advance", "16450.00", "scheduled"),
        ("caf", "balance", "7050.00", "pending"),
    ]
    events = api.events(application_id)
    assert [(e["action"], e["to_state"]) for e in events if e["entity"] == "agreement"] == [
        ("agreement_open", "awaiting_signature"),
        ("sign", "signed_by_holder"),
        ("countersign", "in_force"),
    ]


def test_a_grant_below_the_threshold_is_a_notification_in_force_with_its_advance(
    api: Any,
) -> None:
    call = api.call()
    application_id = notified(api, call, "5000.00", "Café des parents")

    money = funding(api, application_id)
    [agreement] = money["agreements"]
    assert (agreement["kind"], agreement["state"], agreement["has_convention"]) == (
        "notification",
        "in_force",
        False,
    )
    assert [(p["kind"], p["amount"], p["state"]) for p in money["payments"]] == [
        ("advance", "3500.00", "scheduled"),
        ("balance", "1500.00", "pending"),
    ]
    assert money["report"] == {"state": "due", "due_on": "2028-06-15", "reviews": []}
    assert money["settlement"] is None
    assert api.get("asso", f"/agreements/{agreement['id']}/pdf").status_code == 404
    # The funders asked, the chair and the administrator read it; nobody else.
    for user in ("caf1", "chair", "admin"):
        assert funding(api, application_id, user)["agreements"] == money["agreements"]
    for user in ("other", "ville1"):
        assert api.get(user, f"/applications/{application_id}/funding").status_code == 403


def test_the_threshold_is_cumulated_over_the_holders_applications_of_the_year(
    api: Any,
) -> None:
    call = api.call()
    first = notified(api, call, "12000.00", "Café des parents")
    [before] = funding(api, first)["agreements"]
    assert (before["kind"], before["state"], before["cumulated"]) == (
        "notification",
        "in_force",
        "12000.00",
    )

    # Another 12 000 € from the Caf to the same organisation for 2027: 24 000 € > 23 000 €.
    second = notified(api, call, "12000.00", "Atelier des familles")
    [agreement] = funding(api, second)["agreements"]
    assert (agreement["kind"], agreement["state"], agreement["cumulated"]) == (
        "convention",
        "awaiting_signature",
        "24000.00",
    )
    text = api.pdf_text(api.get("asso", f"/agreements/{agreement['id']}/pdf").content)
    assert "pour l'année 2027 s'élevant à 24 000,00 €" in text
    # The first one, already in force with its advance scheduled, stays as it was.
    assert funding(api, first)["agreements"] == [before]


def test_only_the_same_funders_grants_to_the_same_organisation_are_cumulated(api: Any) -> None:
    call = api.call()
    notified(api, call, "12000.00", "Café des parents")
    # Another organisation, the same funder and year: its own count.
    theirs = notified(api, call, "12000.00", "Maison ouverte", user="other")
    # The same organisation, another funder: the Département's count starts at its own grant.
    body = api.body(
        requests={"caf": "1000.00", "departement": "12000.00"},
        budget={"total_cost": "23000.00", "investment_costs": "0", "other_resources": "10000.00"},
    )
    mine = api.eligible(call["id"], body, title="Atelier des familles")
    meeting = api.open_session(call["id"], [mine["id"]])
    for funder, amount in (("caf", "1000.00"), ("departement", "12000.00")):
        api.ok(api.decide(meeting["id"], mine["id"], funder, "granted", amount), 201)
    api.move(meeting["id"], "close")

    kinds = {
        (a["funder"], a["kind"], a["cumulated"])
        for application_id in (theirs, mine["id"])
        for a in funding(api, application_id, "chair")["agreements"]
    }
    assert kinds == {
        ("caf", "notification", "12000.00"),  # the other organisation's
        ("caf", "notification", "13000.00"),  # 12 000 + 1 000 for this one
        ("departement", "notification", "12000.00"),
    }
