"""The holder's organisation profile, prefilled applications, copies of last year's, the
commune lookup, identity numbers and rates as typed."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from engine.models import Blob, Document, OutboxMessage
from tests.api.conftest import REAAP, reaap_body

PROFILE = {
    "name": "Café des parents de l'Abbaye",
    "kind": "association",
    "siret": "787 789 320 87925",
    "rna": "W381000123",
    "cer_signed": True,
    "address": "3 rue de l'Abbaye, 38000 Grenoble",
    "email": "contact@cafe-abbaye.example.org",
}


def _profile_with_documents(api: Any, kinds: tuple[str, ...] = ("rib", "statuts")) -> Any:
    api.ok(api.patch("asso", "/organisations/me", json=PROFILE))
    for kind in kinds:
        profile = api.ok(
            api.post(
                "asso",
                "/organisations/me/documents",
                data={"kind": kind},
                files={"file": (f"{kind}.pdf", api.pdf, "application/pdf")},
            ),
            201,
        )
    return profile


def test_the_holder_reads_and_changes_its_organisation_profile(api: Any) -> None:
    before = api.ok(api.get("asso", "/organisations/me"))
    assert before["name"] and before["documents"] == []
    assert before["document_kinds"]["rib"] == "Relevé d'identité bancaire (RIB)"
    assert "cerfa_12156" not in before["document_kinds"]  # one per application, not reusable
    after = api.ok(api.patch("asso", "/organisations/me", json=PROFILE))
    assert after["siret"] == "78778932087925"  # typed in groups, kept without the spaces
    assert after["rna"] == "W381000123" and after["cer_signed"] is True
    assert after["address"] == PROFILE["address"]
    assert api.ok(api.get("asso", "/organisations/me")) == after
    # Only the fields given change.
    again = api.ok(api.patch("asso", "/organisations/me", json={"address": "1 place Grenette"}))
    assert again["address"] == "1 place Grenette" and again["rna"] == "W381000123"


def test_the_profile_is_the_holders_own(api: Any) -> None:
    api.refused(403, "caf1", "GET", "/organisations/me")
    api.refused(401, None, "GET", "/organisations/me")


def test_a_bad_siret_or_rna_in_the_profile_is_422_naming_the_field(api: Any) -> None:
    api.invalid("siret", "asso", "PATCH", "/organisations/me", json={"siret": "12345678901234"})
    api.invalid("siret", "asso", "PATCH", "/organisations/me", json={"siret": "1234"})
    response = api.invalid("rna", "asso", "PATCH", "/organisations/me", json={"rna": "W12"})
    assert "W suivi de 9 chiffres" in response.json()["errors"][0]["message"]


def test_a_bad_siret_or_rna_in_an_application_is_422_naming_the_field(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    for field, value in (("siret", "78778932087926"), ("rna", "W12")):
        body = reaap_body()
        body["holder"] = {**body["holder"], field: value}
        api.invalid(
            f"application.holder.{field}",
            "asso",
            "POST",
            "/applications",
            json={"call_id": reaap_call["id"], "title": "Café", "application": body},
        )


def test_only_reusable_kinds_are_kept_in_the_profile(api: Any) -> None:
    response = api.invalid(
        "kind",
        "asso",
        "POST",
        "/organisations/me/documents",
        data={"kind": "cerfa_12156"},
        files={"file": ("cerfa.pdf", api.pdf, "application/pdf")},
    )
    assert "pas au profil" in response.json()["errors"][0]["message"]


def test_a_new_application_is_prefilled_from_the_profile_with_its_documents_joined(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    _profile_with_documents(api)
    body = reaap_body()
    body["holder"] = {"kind": "association"}  # the rest comes from the profile
    created = api.draft(reaap_call["id"], body)
    holder = created["application"]["holder"]
    assert holder["siret"] == "78778932087925" and holder["rna"] == "W381000123"
    assert holder["name"] == PROFILE["name"] and holder["cer_signed"] is True
    documents = api.ok(api.get("asso", f"/applications/{created['id']}/documents"))
    assert sorted(d["kind"] for d in documents) == ["rib", "statuts"]
    # A copy of the profile's file: the application owns its blob.
    with api.db.reading() as session:
        rows = session.exec(select(Document).where(Document.application_id == created["id"]))
        blob_ids = [d.blob_id for d in rows]
        assert all(session.get(Blob, b) is not None for b in blob_ids)
    # What the holder types wins over the profile.
    other = reaap_body()
    other["holder"] = {**other["holder"], "name": "Autre nom"}
    assert api.draft(reaap_call["id"], other)["application"]["holder"]["name"] == "Autre nom"


def test_submitting_without_documents_says_incomplete_naming_them_in_french(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    created = api.draft(reaap_call["id"])
    api.upload_all(created["id"], ("cerfa_12156", "budget"))
    filed = api.ok(api.submit(created["id"]))
    assert filed["state"] == "incomplete"
    g3 = next(r for r in filed["eligibility"]["results"] if r["rule"] == "G3")
    assert "Relevé d'identité bancaire (RIB)" in g3["message"]
    assert "officers_list" not in g3["message"]
    with api.db.reading() as session:
        receipt = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "submission_receipt")
        ).first()
        assert receipt is not None
        text = receipt.body_text
    assert "Liste des dirigeants" in text and "officers_list" not in text
    assert f"/dossiers/{created['id']}#pieces-section" in text


def test_last_years_application_is_copied_into_the_open_call(api: Any) -> None:
    _profile_with_documents(api, ("rib",))
    moment = datetime.now(UTC)
    last_call = api.call(
        title="Appel à projets Reaap de l'an dernier",
        opens_at=(moment - timedelta(days=370)).isoformat(),
    )
    body = copy.deepcopy(REAAP)
    start = (moment - timedelta(days=300)).date()
    body["period"] = {
        "start": start.isoformat(),
        "end": start.replace(month=12, day=15).isoformat(),
    }
    last_year = api.draft(last_call["id"], body, title=f"Café des parents {start.year}")
    api.ok(api.post("chair", f"/calls/{last_call['id']}/close"))
    new_call = api.call(
        title="Appel à projets Reaap de cette année",
        opens_at=(moment - timedelta(days=1)).isoformat(),
        envelopes={"caf": "50000.00", "departement": "20000.00"},
    )
    years = (moment - timedelta(days=1)).year - (moment - timedelta(days=370)).year

    copied = api.ok(api.post("asso", f"/applications/{last_year['id']}/copy"), 201)
    assert copied["id"] != last_year["id"] and copied["state"] == "draft"
    assert copied["call_id"] == new_call["id"]
    assert copied["title"] == f"Café des parents {start.year + years}"
    data = copied["application"]
    assert data["period"]["start"] == start.replace(year=start.year + years).isoformat()
    assert data["renewal"] is True
    assert data["facts"] == last_year["application"]["facts"]
    assert data["territory"] == last_year["application"]["territory"]
    assert data["budget"] == last_year["application"]["budget"]
    # Only the funders of the new call are asked.
    assert set(data["requests"]) == {"caf", "departement"}
    documents = api.ok(api.get("asso", f"/applications/{copied['id']}/documents"))
    assert [d["kind"] for d in documents] == ["rib"]
    # Someone else's application is not theirs to copy.
    api.refused(403, "other", "POST", f"/applications/{last_year['id']}/copy")


def test_copying_without_an_open_call_of_the_scheme_is_409(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    created = api.draft(reaap_call["id"])
    api.ok(api.post("chair", f"/calls/{reaap_call['id']}/close"))
    response = api.refused(409, "asso", "POST", f"/applications/{created['id']}/copy")
    assert response.json()["code"] == "no_open_call"


def test_the_commune_lookup_ignores_accents_case_and_saint_abbreviations(api: Any) -> None:
    found = api.ok(api.get(None, "/communes", params={"q": "st martin d heres"}))
    assert found[0] == {
        "insee": "38421",
        "name": "Saint-Martin-d'Hères",
        "departement": "38",
        "population": found[0]["population"],
        "label": "Saint-Martin-d'Hères (38421)",
    }
    assert api.ok(api.get(None, "/communes", params={"q": "GRENOBLE"}))[0]["insee"] == "38185"
    assert api.ok(api.get(None, "/communes", params={"q": "echirol"}))[0]["insee"] == "38151"


def test_rates_are_accepted_as_percentages_or_with_a_decimal_comma(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    for typed in ("60 %", "60%", "0,6", "0.6"):
        body = reaap_body()
        body["facts"] = {**body["facts"], "staff_cost_share": typed}
        created = api.draft(reaap_call["id"], body)
        assert created["application"]["facts"]["staff_cost_share"] == "0.6", typed
    body = reaap_body()
    body["facts"] = {**body["facts"], "staff_cost_share": "160 %"}
    api.invalid(
        "application.facts.staff_cost_share",
        "asso",
        "POST",
        "/applications",
        json={"call_id": reaap_call["id"], "title": "Café", "application": body},
    )


def test_a_pdf_named_png_is_kept_as_the_pdf_its_content_says(
    api: Any, reaap_call: dict[str, Any]
) -> None:
    """As Démarches Simplifiées does, the type is read from the content, never from the name:
    the file is stored and served as a PDF, under a name with the right extension."""
    created = api.draft(reaap_call["id"])
    document = api.ok(
        api.upload(created["id"], "rib", api.pdf, filename="fake.png", content_type="image/png"),
        201,
    )
    assert document["filename"] == "fake.pdf"
    assert document["content_type"] == "application/pdf"
    served = api.get("asso", f"/documents/{document['id']}")
    assert served.headers["content-type"] == "application/pdf"
    assert 'filename="fake.pdf"' in served.headers["content-disposition"]
    # The same in the profile.
    profile = api.ok(
        api.post(
            "asso",
            "/organisations/me/documents",
            data={"kind": "statuts"},
            files={"file": ("statuts.png", api.pdf, "image/png")},
        ),
        201,
    )
    kept = profile["documents"][0]
    assert (kept["filename"], kept["content_type"]) == ("statuts.pdf", "application/pdf")
