"""Hostile text typed into every field a user controls comes out inert everywhere it is shown:
the pages, the emails (HTML and text), the PDFs (letters, convocations, minutes); and uploaded
files are only ever downloaded, never rendered by the browser."""

from __future__ import annotations

import email
import email.policy
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from engine.services.accounts import create_user
from tests.api.conftest import DOCUMENT_KINDS, pdf_text
from tests.conftest import PASSWORD, Seeded

SCRIPT = "<script>alert(1)</script>"
LINK = '<a href="javascript:alert(2)">clic</a>'
IMAGE = '<img src="/etc/hostname">'
HOSTILE = f"{SCRIPT}{LINK}{IMAGE}"
# What must never reach a page or an HTML email as markup.
LIVE = (
    re.compile(r"<script>alert", re.I),
    re.compile(r"""href\s*=\s*["']?\s*javascript:""", re.I),
    re.compile(r"""<img[^>]*src\s*=\s*["']?/etc/""", re.I),
)


def inert(html: str, where: str) -> None:
    for pattern in LIVE:
        assert not pattern.search(html), (where, pattern.pattern)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def hostile(api: Any, db: Any) -> dict[str, Any]:
    """A whole life with hostile text in every field: funder, organisation, user, call, file,
    document name, proposal, reasons, session, decision conditions; closed with its letters."""
    api.ok(
        api.post(
            "admin",
            "/funders",
            json={"code": "evil", "name": f"Financeur {HOSTILE}", "kind": "msa"},
        ),
        201,
    )
    create_user(
        db,
        "evil",
        PASSWORD,
        "applicant",
        name=f"Porteur {HOSTILE}",
        email="evil@example.org",
        organisation=f"Association {HOSTILE}",
    )
    api.headers["evil"] = Seeded(api.client).token("evil")
    envelopes = {**api.ENVELOPES, "evil": "1000.00"}
    call = api.call(envelopes, title=f"Appel {HOSTILE}")
    body = api.body(requests={"caf": "3000.00", "departement": "1500.00", "evil": "500.00"})
    draft = api.draft(call["id"], body, user="evil", title=f"Dossier {HOSTILE}")
    for kind in DOCUMENT_KINDS:
        api.ok(api.upload(draft["id"], kind, filename=f"{IMAGE}{SCRIPT}.pdf", user="evil"), 201)
    application = api.ok(api.submit(draft["id"], user="evil"))
    assert application["state"] == "eligible", application["eligibility"]
    app_id = application["id"]
    api.ok(
        api.post(
            "caf1",
            f"/applications/{app_id}/shares/caf/propose",
            json={"amount": "2000.00", "comment": f"Avis {HOSTILE}"},
        )
    )
    api.ok(api.post("chair", f"/applications/{app_id}/request-documents", json={"reason": HOSTILE}))
    api.ok(api.submit(app_id, user="evil"))
    meeting = api.ok(
        api.post(
            "chair",
            "/sessions",
            json={
                "call_id": call["id"],
                "title": f"Séance {HOSTILE}",
                "starts_at": "2027-01-15T14:00:00+01:00",
                "location": f"Salle {HOSTILE}",
            },
        ),
        201,
    )
    api.agenda(meeting["id"], [app_id])
    api.move(meeting["id"], "convene")
    # A session opens from its day: the chair moves it to today (an amended convocation).
    today = {"starts_at": datetime.now(UTC).isoformat()}
    api.ok(api.patch("chair", f"/sessions/{meeting['id']}", json=today))
    # Its member exists before the opening, so the attendance records it present.
    create_user(db, "evil1", PASSWORD, "funder", email="evil1@example.org", funder_code="evil")
    evil1 = Seeded(api.client).token("evil1")
    api.move(meeting["id"], "open")
    for funder in ("caf", "departement"):
        api.ok(
            api.decide(
                meeting["id"], app_id, funder, "granted", "500.00", conditions=f"Si {HOSTILE}"
            ),
            201,
        )
    response = api.client.post(
        f"/api/v1/sessions/{meeting['id']}/decisions",
        headers=evil1,
        json={
            "application_id": app_id,
            "funder": "evil",
            "outcome": "refused",
            "conditions": HOSTILE,
        },
    )
    assert response.status_code == 201, response.text
    api.move(meeting["id"], "close")
    return {"call": call["id"], "application": app_id, "session": meeting["id"]}


def page(api: Any, user: str, path: str) -> str:
    api.client.cookies.clear()
    token = api.headers[user]["Authorization"].removeprefix("Bearer ")
    response = api.client.get(path, headers={"Cookie": f"cofinance_session={token}"})
    assert response.status_code == 200, (user, path, response.status_code)
    assert "text/html" in response.headers["content-type"]
    return str(response.text)


def test_pages_show_hostile_text_as_text(api: Any, hostile: dict[str, Any]) -> None:
    app_id, session_id = hostile["application"], hostile["session"]
    views = [
        ("evil", f"/dossiers/{app_id}"),
        ("evil", "/demandes"),
        ("chair", f"/dossiers/{app_id}"),
        ("chair", f"/seances/{session_id}"),
        ("chair", f"/seances/{session_id}/direct"),
        ("chair", "/comite/dossiers"),
        ("chair", "/appels"),
        ("chair", "/seances"),
        ("chair", "/tableau-de-bord"),
        ("caf1", f"/dossiers/{app_id}"),
        ("caf1", "/financeur/dossiers"),
        ("caf1", "/financeur/enveloppes"),
        ("admin", "/admin/financeurs"),
        ("admin", "/admin/utilisateurs"),
        ("admin", "/admin/envois"),
    ]
    shown = 0
    for user, path in views:
        html = page(api, user, path)
        inert(html, (user, path))
        shown += html.count("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert shown >= len(views)  # the text is there, escaped, not dropped
    # Where documents are listed, the link to each is ours, never built from the file name.
    html = page(api, "evil", f"/dossiers/{app_id}")
    assert re.findall(r'href="(/pieces/[^"]*)"', html)
    assert all(re.fullmatch(r"/pieces/\d+", h) for h in re.findall(r'href="(/pieces/[^"]*)"', html))


def test_emails_show_hostile_text_as_text(api: Any, hostile: dict[str, Any]) -> None:
    files = [p for p in api.stored_files("outbox") if p.suffix == ".eml"]
    assert files
    seen = 0
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for header in ("Subject", "To", "From"):
            assert "\n" not in str(message[header] or ""), path
        html_part = message.get_body(preferencelist=("html",))
        if html_part is not None:
            html = html_part.get_content()
            inert(html, path.name)
            seen += "&lt;script&gt;" in html
    assert seen >= 1


def test_pdfs_print_hostile_text_never_as_a_link_or_an_image(
    api: Any, hostile: dict[str, Any]
) -> None:
    pdfs = api.stored_letters()
    assert len(pdfs) >= 4  # convocations, letters, minutes
    printed = 0
    for letter, data in pdfs:
        assert data.startswith(b"%PDF-")
        assert b"/URI" not in data and b"/JavaScript" not in data and b"/Launch" not in data
        for number, pdf_page in enumerate(PdfReader(io.BytesIO(data)).pages):
            assert "/Annots" not in pdf_page, (letter.id, number)
            assert not pdf_page.images, (letter.id, number)
        printed += squeeze(SCRIPT) in squeeze(pdf_text(data))
    assert printed >= 3


def test_documents_are_downloaded_never_rendered(api: Any, hostile: dict[str, Any]) -> None:
    app_id = hostile["application"]
    documents = api.ok(api.get("evil", f"/applications/{app_id}/documents"))
    document = documents[0]
    api.client.cookies.clear()
    token = api.headers["caf1"]["Authorization"].removeprefix("Bearer ")
    for response in (
        api.get("chair", f"/documents/{document['id']}"),
        api.client.get(
            f"/pieces/{document['id']}", headers={"Cookie": f"cofinance_session={token}"}
        ),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert not set(disposition) & set("<>\r\n"), disposition
        assert response.headers["x-content-type-options"] == "nosniff"
        csp = response.headers["content-security-policy"]
        assert "sandbox" in csp and "default-src 'none'" in csp
        assert response.content == api.pdf
