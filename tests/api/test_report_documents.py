"""A final report's supporting documents through the HTTP API: the holder joins invoices while
the report is open, the funders reviewing it list and download them, anything else is refused
with a French error naming the field and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import pdf_bytes
from tests.api.test_agreement_pages import post
from tests.api.test_final_reports import figures, notified
from tests.api.test_plugin_package import page

DOCUMENTS = "/applications/{id}/report/documents"


@pytest.fixture
def file_id(api: Any) -> int:
    return notified(api)


def upload(api: Any, file_id: int, name: str = "facture.pdf", **kwargs: Any) -> Any:
    content = kwargs.pop("content", pdf_bytes())
    kind = kwargs.pop("content_type", "application/pdf")
    return api.post(
        kwargs.pop("user", "asso"),
        DOCUMENTS.format(id=file_id),
        files={"file": (name, content, kind)},
    )


def test_the_holder_joins_an_invoice_that_the_reviewing_funders_list_and_download(
    api: Any, file_id: int
) -> None:
    joined = api.ok(upload(api, file_id, "Facture salle.pdf"), 201)
    assert joined["filename"] == "Facture salle.pdf"
    assert joined["content_type"] == "application/pdf"
    path = DOCUMENTS.format(id=file_id)
    for user in ("asso", "caf1", "dep1", "chair"):
        listed = api.ok(api.get(user, path))
        assert [d["id"] for d in listed] == [joined["id"]], user
        download = api.get(user, f"{path}/{joined['id']}")
        assert download.status_code == 200, (user, download.text)
        assert download.content == pdf_bytes()
        assert download.headers["content-disposition"].startswith("attachment")
    # Someone else's holder sees neither the list nor the file.
    assert api.get("other", path).status_code in (403, 404)
    assert api.get("other", f"{path}/{joined['id']}").status_code in (403, 404)


def test_a_file_that_is_not_a_pdf_or_an_image_is_refused_naming_the_file(
    api: Any, file_id: int
) -> None:
    path = DOCUMENTS.format(id=file_id)
    api.invalid(
        "file",
        "asso",
        "POST",
        path,
        files={"file": ("facture.pdf", b"not a pdf at all", "application/pdf")},
        watch=[file_id],
    )
    assert api.ok(api.get("asso", path)) == []


def test_only_the_holder_joins_and_only_while_it_may_change_the_report(
    api: Any, file_id: int
) -> None:
    path = DOCUMENTS.format(id=file_id)
    files = {"file": ("facture.pdf", pdf_bytes(), "application/pdf")}
    for user in ("caf1", "chair", "other"):
        api.refused(403, user, "POST", path, files=files, watch=[file_id])
    report = f"/applications/{file_id}/report"
    api.ok(api.put("asso", report, json=figures()))
    api.ok(upload(api, file_id), 201)
    api.ok(api.post("asso", report + "/submit"))
    # Submitted: the funders review what was filed.
    api.refused(409, "asso", "POST", path, files=files, watch=[file_id])
    assert len(api.ok(api.get("caf1", path))) == 1


def test_the_holder_joins_a_piece_from_its_report_form_and_a_funder_downloads_it_from_the_file(
    api: Any, file_id: int
) -> None:
    form = f"/dossiers/{file_id}/compte-rendu"
    text = page(api, "asso", form)
    assert 'type="file"' in text and "Aucune pièce justificative jointe." in text
    bad = {"file": ("facture.pdf", b"not a pdf", "application/pdf")}
    refused = post(api, "asso", form + "/pieces", files=bad)
    assert refused.status_code == 422 and 'id="f-report-file-erreur"' in refused.text
    assert "Choisissez un fichier." in post(api, "asso", form + "/pieces").text
    joined = post(
        api, "asso", form + "/pieces", files={"file": ("Reçu.pdf", pdf_bytes(), "application/pdf")}
    )
    assert joined.status_code == 303, joined.text
    assert "Reçu.pdf" in page(api, "asso", form)
    [document] = api.ok(api.get("caf1", DOCUMENTS.format(id=file_id)))
    link = f"{form}/pieces/{document['id']}"
    assert link in page(api, "caf1", f"/dossiers/{file_id}")
    token = api.headers["caf1"]["Authorization"].removeprefix("Bearer ")
    copy = api.client.get(link, headers={"Cookie": f"cofinance_session={token}"})
    assert copy.content == pdf_bytes()
