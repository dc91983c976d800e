"""The access matrix: every route of the app (API, pages, PDFs, attachments, lists) × every role,
owner and non-owner, from the table below.

The table is checked against the routes the app really serves (walked from `app.router`,
included routers and page routes too): a route missing from the table, or a table row naming a
route that no longer exists, fails. Every refused request must be refused the right way (401
without credentials, the login page for pages, 403 or 404 otherwise) and leave every table and
every file under the data folder as it was; every entitled request gets through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.routing import Mount, Route

from tests.api.conftest import pdf_bytes, reaap_body
from tests.security.conftest import World, stored

USERS = ("admin", "chair", "caf1", "caf2", "etat1", "dep1", "msa1", "ville1", "asso", "other")
SIGNED_IN = frozenset(USERS)
PUBLIC = frozenset({None, *USERS})
ADMIN = frozenset({"admin"})
CHAIR = frozenset({"chair"})
STAFF = frozenset({"chair", "admin"})
FUNDERS = frozenset({"caf1", "caf2", "etat1", "dep1", "msa1", "ville1"})
APPLICANTS = frozenset({"asso", "other"})
HOLDER = frozenset({"asso"})  # owner of every ASSO-* file; `other` is the non-owner holder
CAF = frozenset({"caf1", "caf2"})  # members of the funder named in the path or the body
DEP = frozenset({"dep1"})  # the Département's members (its convention on the decided file)
# Funders asked by asso's submitted files (every funder of the call but the commune).
ASKED = frozenset({"caf1", "caf2", "etat1", "dep1", "msa1"})
VIEWERS = STAFF | HOLDER | ASKED  # a submitted file of asso
DRAFT_VIEWERS = STAFF | HOLDER  # a draft: not yet the funders'
SESSION_VIEWERS = STAFF | ASKED  # the funders of the session's call
DECISION_READERS = STAFF | HOLDER
CAF_LETTER_READERS = STAFF | CAF


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the template, as the app declares it
    allowed: frozenset[str | None]
    path: str = ""  # the concrete path; {names} filled from the world's ids
    body: dict[str, Any] = field(default_factory=dict)
    # Entitled requests that change things are checked too, except these (signing out would end
    # the session every other request of the test relies on).
    check_allowed: bool = True

    @property
    def is_page(self) -> bool:
        return not self.route.startswith("/api/") and self.route not in API_DOCS

    def concrete(self, world: World) -> str:
        return (self.path or self.route).format(**world.ids)


API_DOCS = ("/openapi.json", "/docs", "/docs/oauth2-redirect")
V1 = "/api/v1"
REASON = {"json": {"reason": "Pour voir"}}
REPORT_FIGURES = {
    "actual_total_cost": "100.00",
    "actual_other_resources": "0.00",
    "lines": [{"label": "Charges", "kind": "charge", "forecast": "0.00", "actual": "100.00"}],
}
FORM_REASON = {"data": {"reason": "Pour voir"}}


def pdf_upload() -> dict[str, Any]:
    return {"files": {"file": ("piece.pdf", pdf_bytes(), "application/pdf")}}


def table() -> list[Case]:
    """Who may use each route; one or more concrete cases per route."""
    app = "/applications/{application_id}"
    meeting = "/sessions/{session_id}"
    dossier = "/dossiers/{application_id}"
    seance = "/seances/{session_id}"
    decision = {
        "application_id": "{scheduled}",
        "funder": "caf",
        "outcome": "granted",
        "amount": "100.00",
    }
    return [
        # -- public: docs, health, simulator, sign-in
        Case("GET", "/openapi.json", PUBLIC),
        Case("GET", "/docs", PUBLIC),
        Case("GET", "/docs/oauth2-redirect", PUBLIC),
        Case("GET", "/static/{path}", PUBLIC, "/static/app.css"),
        Case("GET", V1 + "/health", PUBLIC),
        Case("GET", V1 + "/schemes", PUBLIC),
        Case(
            "POST",
            V1 + "/rules/evaluate",
            PUBLIC,
            body={"json": {"scheme": "reaap", "date": "2027-01-20", "application": reaap_body()}},
        ),
        Case(
            "POST",
            V1 + "/auth/token",
            PUBLIC,
            body={"data": {"username": "nobody", "password": "not a password at all"}},
        ),
        Case("POST", V1 + "/auth/logout", SIGNED_IN, check_allowed=False),
        Case("GET", "/", PUBLIC),
        Case("GET", "/connexion", PUBLIC),
        Case(
            "POST",
            "/connexion",
            PUBLIC,
            body={"data": {"username": "nobody", "password": "not a password at all"}},
        ),
        Case("POST", "/deconnexion", SIGNED_IN, check_allowed=False),
        # -- funders and calls
        Case("GET", V1 + "/funders", SIGNED_IN),
        Case(
            "POST",
            V1 + "/funders",
            ADMIN,
            body={
                "json": {"code": "voiron", "name": "Voiron", "kind": "commune", "insee": "38563"}
            },
        ),
        Case("GET", V1 + "/calls", SIGNED_IN),
        Case("GET", V1 + "/calls/{call_id}", SIGNED_IN, V1 + "/calls/{call}"),
        Case("POST", V1 + "/calls", STAFF, body={"json": "call_body"}),
        Case("POST", V1 + "/calls/{call_id}/open", STAFF, V1 + "/calls/{draft_call}/open"),
        # -- applications
        Case(
            "POST",
            V1 + "/applications",
            APPLICANTS,
            body={"json": {"call_id": "{call}", "title": "Nouveau", "application": reaap_body()}},
        ),
        Case("GET", V1 + "/applications", SIGNED_IN),
        Case("GET", V1 + app, VIEWERS, V1 + "/applications/{eligible}"),
        Case("GET", V1 + app, DRAFT_VIEWERS, V1 + "/applications/{draft}"),
        Case("PATCH", V1 + app, HOLDER, V1 + "/applications/{draft}", {"json": {"title": "Pris"}}),
        Case(
            "POST",
            V1 + app + "/documents",
            HOLDER,
            V1 + "/applications/{draft}/documents",
            {"data": {"kind": "statuts"}, **pdf_upload()},
        ),
        Case("GET", V1 + app + "/documents", VIEWERS, V1 + "/applications/{eligible}/documents"),
        Case("GET", V1 + app + "/documents", DRAFT_VIEWERS, V1 + "/applications/{draft}/documents"),
        Case("GET", V1 + app + "/events", VIEWERS, V1 + "/applications/{eligible}/events"),
        Case("GET", V1 + app + "/events", DRAFT_VIEWERS, V1 + "/applications/{draft}/events"),
        Case("GET", V1 + app + "/letters", VIEWERS, V1 + "/applications/{decided}/letters"),
        Case(
            "POST",
            V1 + app + "/shares/{funder}/propose",
            CAF,
            V1 + "/applications/{eligible}/shares/caf/propose",
            {"json": {"amount": "100.00"}},
        ),
        Case(
            "POST",
            V1 + app + "/shares/{funder}/opinion",
            CAF,
            V1 + "/applications/{eligible}/shares/caf/opinion",
            {"json": {"opinion": "reserved", "comment": "Pour voir"}},
        ),
        # Opinions prepare the committee's deliberation: not the holder's to read.
        Case(
            "GET",
            V1 + app + "/opinions",
            STAFF | ASKED,
            V1 + "/applications/{eligible}/opinions",
        ),
        Case("GET", V1 + app + "/opinions", STAFF, V1 + "/applications/{draft}/opinions"),
        Case(
            "POST",
            V1 + app + "/request-documents",
            CHAIR,
            V1 + "/applications/{eligible}/request-documents",
            REASON,
        ),
        Case(
            "POST",
            V1 + app + "/override-eligibility",
            CHAIR,
            V1 + "/applications/{ineligible}/override-eligibility",
            REASON,
        ),
        Case("POST", V1 + app + "/submit", HOLDER, V1 + "/applications/{draft}/submit"),
        Case("POST", V1 + app + "/withdraw", HOLDER, V1 + "/applications/{eligible}/withdraw"),
        # -- letters, minutes and attachments (PDFs and uploaded files)
        Case(
            "GET", V1 + "/letters/{letter_id}", DECISION_READERS, V1 + "/letters/{decision_letter}"
        ),
        Case("GET", V1 + "/letters/{letter_id}", CAF_LETTER_READERS, V1 + "/letters/{caf_letter}"),
        Case("GET", V1 + "/letters/{letter_id}", SESSION_VIEWERS, V1 + "/letters/{minutes}"),
        # -- agreements (DESIGN §10): the holder signs, the funder's members countersign
        Case(
            "POST",
            V1 + "/agreements/{agreement_id}/sign",
            HOLDER,
            V1 + "/agreements/{dep_convention}/sign",
            pdf_upload(),
        ),
        Case(
            "POST",
            V1 + "/agreements/{agreement_id}/countersign",
            DEP,
            V1 + "/agreements/{dep_convention}/countersign",
        ),
        Case(
            "GET",
            V1 + "/agreements/{agreement_id}/pdf",
            VIEWERS,
            V1 + "/agreements/{dep_convention}/pdf",
        ),
        Case(
            "GET",
            V1 + "/agreements/{agreement_id}/signed",
            VIEWERS,
            V1 + "/agreements/{dep_convention}/signed",
        ),
        Case("GET", V1 + app + "/funding", VIEWERS, V1 + "/applications/{decided}/funding"),
        # -- the final report (DESIGN §10): the holder writes and submits, a funder with a
        # granted share reviews
        Case("GET", V1 + app + "/report", VIEWERS, V1 + "/applications/{decided}/report"),
        Case(
            "PUT",
            V1 + app + "/report",
            HOLDER,
            V1 + "/applications/{decided}/report",
            {"json": REPORT_FIGURES},
        ),
        Case(
            "POST",
            V1 + app + "/report/submit",
            HOLDER,
            V1 + "/applications/{decided}/report/submit",
        ),
        Case(
            "POST",
            V1 + app + "/report/reviews",
            CAF,
            V1 + "/applications/{decided}/report/reviews",
            {"json": {"funder": "caf", "outcome": "approved"}},
        ),
        Case(
            "GET",
            V1 + app + "/report/documents",
            VIEWERS,
            V1 + "/applications/{decided}/report/documents",
        ),
        Case(
            "GET",
            V1 + app + "/report/documents/{document_id}",
            VIEWERS,
            V1 + "/applications/{decided}/report/documents/{report_document}",
        ),
        Case(
            "POST",
            V1 + app + "/report/documents",
            HOLDER,
            V1 + "/applications/{decided}/report/documents",
            {"files": {"file": ("facture.pdf", pdf_bytes(), "application/pdf")}},
        ),
        Case("GET", V1 + "/documents/{document_id}", VIEWERS, V1 + "/documents/{document}"),
        Case(
            "GET",
            V1 + "/documents/{document_id}",
            DRAFT_VIEWERS,
            V1 + "/documents/{draft_document}",
        ),
        Case(
            "GET",
            V1 + meeting + "/minutes",
            SESSION_VIEWERS,
            V1 + "/sessions/{closed_session}/minutes",
        ),
        # -- payments (DESIGN §10): lists filtered by role, actions by the payment's funder
        Case("GET", V1 + "/payments", SIGNED_IN),
        Case("GET", V1 + "/payments.csv", SIGNED_IN),
        Case(
            "POST",
            V1 + "/payments/{payment_id}/order",
            CAF,
            V1 + "/payments/{caf_advance}/order",
            {"json": {"reference": "M-2027-001"}},
        ),
        Case(
            "POST",
            V1 + "/payments/{payment_id}/pay",
            CAF,
            V1 + "/payments/{caf_advance}/pay",
            {"json": {"paid_on": "2026-01-05"}},
        ),
        # -- sessions
        Case("GET", V1 + "/sessions", STAFF | FUNDERS),
        Case("POST", V1 + "/sessions", CHAIR, body={"json": "session_body"}),
        Case("GET", V1 + meeting, SESSION_VIEWERS, V1 + "/sessions/{open_session}"),
        Case("GET", V1 + meeting + "/pack", SESSION_VIEWERS, V1 + "/sessions/{open_session}/pack"),
        Case(
            "PUT",
            V1 + meeting + "/agenda",
            CHAIR,
            V1 + "/sessions/{planned_session}/agenda",
            {"json": {"application_ids": []}},
        ),
        Case(
            "PATCH",
            V1 + meeting,
            CHAIR,
            V1 + "/sessions/{planned_session}",
            {"json": {"location": "Salle du conseil"}},
        ),
        Case("POST", V1 + meeting + "/convene", CHAIR, V1 + "/sessions/{planned_session}/convene"),
        Case(
            "GET",
            V1 + meeting + "/attendance",
            SESSION_VIEWERS,
            V1 + "/sessions/{open_session}/attendance",
        ),
        Case(
            "PUT",
            V1 + meeting + "/attendance",
            CHAIR,
            V1 + "/sessions/{planned_session}/attendance",
            {"json": {"attendees": []}},
        ),
        Case(
            "GET",
            V1 + meeting + "/attendance-sheet",
            SESSION_VIEWERS,
            V1 + "/sessions/{open_session}/attendance-sheet",
        ),
        Case("POST", V1 + meeting + "/open", CHAIR, V1 + "/sessions/{convened_session}/open"),
        Case(
            "POST",
            V1 + meeting + "/decisions",
            CAF,
            V1 + "/sessions/{open_session}/decisions",
            {"json": decision},
        ),
        # Conflicts of interest: a member declares its own (another member's: 403), the chair
        # records one for any member; the chair and the session's funders read them.
        Case(
            "POST",
            V1 + meeting + "/conflicts",
            CHAIR | {"caf1"},
            V1 + "/sessions/{open_session}/conflicts",
            {"json": {"application_id": "{scheduled}", "user": "caf1", "reason": "Pour voir"}},
        ),
        Case(
            "GET",
            V1 + meeting + "/conflicts",
            SESSION_VIEWERS,
            V1 + "/sessions/{open_session}/conflicts",
        ),
        Case("POST", V1 + meeting + "/close", CHAIR, V1 + "/sessions/{open_session}/close"),
        Case("POST", V1 + meeting + "/cancel", CHAIR, V1 + "/sessions/{planned_session}/cancel"),
        Case("POST", V1 + "/calls/{call_id}/close", STAFF, V1 + "/calls/{call}/close"),
        # -- notifications and the outbox
        Case("GET", V1 + "/notifications", SIGNED_IN),
        Case("POST", V1 + "/notifications/read-all", SIGNED_IN),
        Case(
            "POST",
            V1 + "/notifications/{notification_id}/read",
            HOLDER,
            V1 + "/notifications/{asso_notification}/read",
        ),
        Case("GET", V1 + "/outbox", ADMIN),
        Case("GET", V1 + "/outbox/{message_id}", ADMIN, V1 + "/outbox/{message}"),
        # -- accounts, funders and calls: the administrator's editing
        Case("GET", V1 + "/users", ADMIN),
        Case("GET", V1 + "/users/{user_id}", ADMIN, V1 + "/users/{spare_user}"),
        Case(
            "PATCH",
            V1 + "/users/{user_id}",
            ADMIN,
            V1 + "/users/{spare_user}",
            {"json": {"name": "Compte de réserve"}},
        ),
        Case(
            "POST",
            V1 + "/users/{user_id}/password-reset",
            ADMIN,
            V1 + "/users/{spare_user}/password-reset",
        ),
        Case(
            "POST", V1 + "/users/{user_id}/deactivate", ADMIN, V1 + "/users/{spare_user}/deactivate"
        ),
        Case(
            "POST", V1 + "/users/{user_id}/reactivate", ADMIN, V1 + "/users/{spare_user}/reactivate"
        ),
        Case("GET", V1 + "/funders/{code}", SIGNED_IN, V1 + "/funders/grenoble"),
        Case(
            "PATCH",
            V1 + "/funders/{code}",
            ADMIN,
            V1 + "/funders/grenoble",
            {"json": {"name": "Ville de Grenoble"}},
        ),
        Case("POST", V1 + "/funders/{code}/deactivate", ADMIN, V1 + "/funders/grenoble/deactivate"),
        Case("POST", V1 + "/funders/{code}/reactivate", ADMIN, V1 + "/funders/grenoble/reactivate"),
        Case(
            "PATCH",
            V1 + "/calls/{call_id}",
            STAFF,
            V1 + "/calls/{draft_call}",
            {"json": {"title": "Appel modifié"}},
        ),
        Case(
            "POST",
            V1 + "/auth/password-reset",
            PUBLIC,
            body={"json": {"username": "nobody"}},
        ),
        Case(
            "POST",
            V1 + "/auth/password-reset/confirm",
            PUBLIC,
            body={"json": {"token": "not-a-token", "password": "a new password 2027"}},
        ),
        Case("GET", "/mot-de-passe/oublie", PUBLIC),
        Case("POST", "/mot-de-passe/oublie", PUBLIC, body={"data": {"username": "nobody"}}),
        Case("GET", "/mot-de-passe/nouveau", PUBLIC),
        Case(
            "POST",
            "/mot-de-passe/nouveau",
            PUBLIC,
            body={"data": {"token": "x", "password": "a new password 2027"}},
        ),
        Case("POST", V1 + "/outbox/{message_id}/retry", ADMIN, V1 + "/outbox/{message}/retry"),
        # -- the holder's organisation profile, copies, the commune picker
        Case("GET", V1 + "/organisations/me", APPLICANTS),
        Case(
            "PATCH",
            V1 + "/organisations/me",
            APPLICANTS,
            body={"json": {"address": "1 place Grenette, Grenoble"}},
        ),
        Case(
            "POST",
            V1 + "/organisations/me/documents",
            APPLICANTS,
            body={"data": {"kind": "statuts"}, **pdf_upload()},
        ),
        Case(
            "GET",
            V1 + "/organisations/me/documents/{document_id}",
            HOLDER,
            V1 + "/organisations/me/documents/{profile_document}",
        ),
        Case(
            "DELETE",
            V1 + "/organisations/me/documents/{document_id}",
            HOLDER,
            V1 + "/organisations/me/documents/{profile_document}",
        ),
        Case("POST", V1 + app + "/copy", HOLDER, V1 + "/applications/{draft}/copy"),
        Case("GET", V1 + "/communes", PUBLIC, V1 + "/communes?q=grenoble"),
        Case("GET", "/organisation", APPLICANTS),
        Case("POST", "/organisation", APPLICANTS, body={"data": {"address": "1 place Grenette"}}),
        Case(
            "POST",
            "/organisation/pieces",
            APPLICANTS,
            body={
                "files": {"file.activity_report": ("rapport.pdf", pdf_bytes(), "application/pdf")}
            },
        ),
        Case(
            "GET",
            "/organisation/pieces/{document_id}",
            HOLDER,
            "/organisation/pieces/{profile_page_document}",
        ),
        Case(
            "POST",
            "/organisation/pieces/{document_id}/retirer",
            HOLDER,
            "/organisation/pieces/{profile_page_document}/retirer",
        ),
        Case("POST", dossier + "/copier", HOLDER, "/dossiers/{draft}/copier"),
        # -- pages: the holder's
        Case("GET", "/demandes", APPLICANTS),
        Case("GET", "/demandes/nouvelle", APPLICANTS),
        Case(
            "POST",
            "/demandes/nouvelle",
            APPLICANTS,
            body={"data": {"call_id": "{call}", "title": "Par la page"}},
        ),
        Case("GET", dossier + "/modifier", HOLDER, "/dossiers/{draft}/modifier"),
        Case(
            "POST",
            dossier + "/modifier",
            HOLDER,
            "/dossiers/{draft}/modifier",
            {"data": {"title": "Pris"}},
        ),
        Case("GET", dossier, VIEWERS, "/dossiers/{eligible}"),
        Case("GET", dossier, DRAFT_VIEWERS, "/dossiers/{draft}"),
        Case(
            "POST",
            dossier + "/pieces",
            HOLDER,
            "/dossiers/{draft}/pieces",
            {"data": {"kind": "budget"}, **pdf_upload()},
        ),
        Case("GET", "/pieces/{document_id}", VIEWERS, "/pieces/{document}"),
        Case("GET", "/pieces/{document_id}", DRAFT_VIEWERS, "/pieces/{draft_document}"),
        Case("GET", "/lettres/{letter_id}", DECISION_READERS, "/lettres/{decision_letter}"),
        Case("GET", "/lettres/{letter_id}", CAF_LETTER_READERS, "/lettres/{caf_letter}"),
        Case("GET", "/conventions/{agreement_id}", VIEWERS, "/conventions/{dep_convention}"),
        Case(
            "GET",
            "/conventions/{agreement_id}/signee",
            VIEWERS,
            "/conventions/{dep_convention}/signee",
        ),
        Case(
            "POST",
            "/conventions/{agreement_id}/signer",
            HOLDER,
            "/conventions/{dep_convention}/signer",
            pdf_upload(),
        ),
        Case(
            "POST",
            "/conventions/{agreement_id}/contresigner",
            DEP,
            "/conventions/{dep_convention}/contresigner",
        ),
        Case(
            "POST",
            dossier + "/parts/{funder}/proposer",
            CAF,
            "/dossiers/{eligible}/parts/caf/proposer",
            {"data": {"amount": "100,00"}},
        ),
        Case(
            "POST",
            dossier + "/demander-pieces",
            CHAIR,
            "/dossiers/{eligible}/demander-pieces",
            FORM_REASON,
        ),
        Case(
            "POST",
            dossier + "/declarer-recevable",
            CHAIR,
            "/dossiers/{ineligible}/declarer-recevable",
            FORM_REASON,
        ),
        Case("POST", dossier + "/deposer", HOLDER, "/dossiers/{draft}/deposer"),
        Case("POST", dossier + "/retirer", HOLDER, "/dossiers/{eligible}/retirer"),
        Case("GET", dossier + "/compte-rendu", VIEWERS, "/dossiers/{decided}/compte-rendu"),
        Case(
            "POST",
            dossier + "/compte-rendu",
            HOLDER,
            "/dossiers/{decided}/compte-rendu",
            {
                "data": {
                    "actual_total_cost": "100,00",
                    "actual_other_resources": "0",
                    "lines.0.label": "Charges",
                    "lines.0.kind": "charge",
                    "lines.0.actual": "100,00",
                }
            },
        ),
        Case(
            "POST",
            dossier + "/compte-rendu/avis",
            CAF,
            "/dossiers/{decided}/compte-rendu/avis",
            {"data": {"funder": "caf", "outcome": "approved"}},
        ),
        Case(
            "POST",
            dossier + "/compte-rendu/pieces",
            HOLDER,
            "/dossiers/{decided}/compte-rendu/pieces",
            {"files": {"file": ("facture.pdf", pdf_bytes(), "application/pdf")}},
        ),
        Case(
            "GET",
            dossier + "/compte-rendu/pieces/{document_id}",
            VIEWERS,
            "/dossiers/{decided}/compte-rendu/pieces/{report_document}",
        ),
        # -- pages: funders', the chair's, the administrator's
        Case("GET", "/financeur/dossiers", FUNDERS),
        Case("GET", "/financeur/dossiers.csv", FUNDERS),
        Case("GET", "/financeur/enveloppes", FUNDERS),
        Case("GET", "/financeur/versements", FUNDERS),
        Case("GET", "/financeur/versements.csv", FUNDERS),
        Case(
            "POST",
            "/financeur/versements/{payment_id}/ordonner",
            CAF,
            "/financeur/versements/{caf_advance}/ordonner",
            {"data": {"reference": "M-2027-002"}},
        ),
        Case(
            "POST",
            "/financeur/versements/{payment_id}/payer",
            CAF,
            "/financeur/versements/{caf_advance}/payer",
            {"data": {"paid_on": "2026-01-05"}},
        ),
        Case("GET", "/comite/suivi", STAFF),
        Case("GET", "/comite/dossiers", STAFF),
        Case("GET", "/tableau-de-bord", STAFF),
        Case("GET", "/appels", STAFF),
        Case("GET", "/appels/nouveau", STAFF),
        Case("POST", "/appels/nouveau", STAFF, body={"data": {"title": "Par la page"}}),
        Case("POST", "/appels/{call_id}/{trigger}", STAFF, "/appels/{draft_call}/ouvrir"),
        Case("GET", "/seances", STAFF | FUNDERS),
        Case("GET", "/seances/nouvelle", CHAIR),
        Case("POST", "/seances/nouvelle", CHAIR, body={"data": {"title": "Par la page"}}),
        Case("GET", seance, SESSION_VIEWERS, "/seances/{open_session}"),
        Case("GET", seance + "/direct", SESSION_VIEWERS, "/seances/{open_session}/direct"),
        Case(
            "GET",
            seance + "/proces-verbal",
            SESSION_VIEWERS,
            "/seances/{closed_session}/proces-verbal",
        ),
        Case(
            "GET",
            seance + "/dossier-de-seance",
            SESSION_VIEWERS,
            "/seances/{convened_session}/dossier-de-seance",
        ),
        Case(
            "POST",
            dossier + "/parts/{funder}/avis",
            CAF,
            "/dossiers/{eligible}/parts/caf/avis",
            {"data": {"opinion": "favourable", "opinion_comment": "Pour voir"}},
        ),
        Case(
            "POST",
            seance + "/ordre-du-jour",
            CHAIR,
            "/seances/{planned_session}/ordre-du-jour",
            {"data": {}},
        ),
        Case("POST", seance + "/convene", CHAIR, "/seances/{planned_session}/convene"),
        Case("POST", seance + "/open", CHAIR, "/seances/{convened_session}/open"),
        Case(
            "POST",
            seance + "/presences",
            CHAIR,
            "/seances/{planned_session}/presences",
            {"data": {}},
        ),
        Case(
            "GET",
            seance + "/feuille-de-presence",
            SESSION_VIEWERS,
            "/seances/{open_session}/feuille-de-presence",
        ),
        Case(
            "POST",
            seance + "/decisions",
            CAF,
            "/seances/{open_session}/decisions",
            {"data": decision},
        ),
        # A member declares for itself (the form names no one else); the chair picks the member.
        Case(
            "POST",
            seance + "/conflits",
            CHAIR | ASKED,
            "/seances/{open_session}/conflits",
            {"data": {"application_id": "{scheduled}", "reason": "Pour voir"}},
        ),
        Case("GET", "/mes-declarations-interets", FUNDERS),
        Case("GET", seance + "/modifier", CHAIR, "/seances/{planned_session}/modifier"),
        Case(
            "POST",
            seance + "/modifier",
            CHAIR,
            "/seances/{planned_session}/modifier",
            {"data": {"location": "Salle du conseil"}},
        ),
        Case("GET", seance + "/cloture", CHAIR, "/seances/{open_session}/cloture"),
        Case("POST", seance + "/close", CHAIR, "/seances/{open_session}/close"),
        Case("POST", seance + "/cancel", CHAIR, "/seances/{planned_session}/cancel"),
        Case("GET", "/admin/financeurs", ADMIN),
        Case("POST", "/admin/financeurs", ADMIN, body={"data": {"code": "voiron2"}}),
        Case("GET", "/admin/utilisateurs", ADMIN),
        Case("POST", "/admin/utilisateurs", ADMIN, body={"data": {"username": "x"}}),
        Case("GET", "/admin/envois", ADMIN),
        Case("GET", "/admin/envois/{message_id}", ADMIN, "/admin/envois/{message}"),
        Case("GET", "/admin/utilisateurs/{user_id}", ADMIN, "/admin/utilisateurs/{spare_user}"),
        Case(
            "POST",
            "/admin/utilisateurs/{user_id}",
            ADMIN,
            "/admin/utilisateurs/{spare_user}",
            {"data": {"name": "Compte de réserve", "role": "chair"}},
        ),
        Case(
            "POST",
            "/admin/utilisateurs/{user_id}/{action}",
            ADMIN,
            "/admin/utilisateurs/{spare_user}/mot-de-passe",
        ),
        Case("GET", "/admin/financeurs/{code}", ADMIN, "/admin/financeurs/grenoble"),
        Case(
            "POST",
            "/admin/financeurs/{code}",
            ADMIN,
            "/admin/financeurs/grenoble",
            {"data": {"name": "Ville de Grenoble", "kind": "commune", "insee": "38185"}},
        ),
        Case(
            "POST",
            "/admin/financeurs/{code}/{action}",
            ADMIN,
            "/admin/financeurs/grenoble/reactiver",
        ),
        Case("GET", "/admin/appels/{call_id}", STAFF, "/admin/appels/{draft_call}"),
        Case(
            "POST",
            "/admin/appels/{call_id}",
            STAFF,
            "/admin/appels/{draft_call}",
            {"data": {"title": "Appel modifié"}},
        ),
        Case(
            "POST", "/admin/envois/{message_id}/relancer", ADMIN, "/admin/envois/{message}/relancer"
        ),
        # -- the territory: the shared diagnosis for the committee, open data for everyone
        Case(
            "GET",
            V1 + "/opendata/subventions.csv",
            PUBLIC,
            V1 + "/opendata/subventions.csv?year=2027",
        ),
        Case("GET", "/carte", STAFF | FUNDERS),
        Case("GET", V1 + "/statistics", STAFF | FUNDERS, V1 + "/statistics?year=2027"),
        Case("GET", "/statistiques", STAFF | FUNDERS, "/statistiques?annee=2027"),
        Case("GET", V1 + "/public/calls", PUBLIC),
        Case(
            "GET",
            V1 + "/public/actions",
            PUBLIC,
            V1 + "/public/actions?year=2027&commune=38185&scheme=reaap",
        ),
        Case("GET", "/decouvrir", PUBLIC),
        Case("GET", "/decouvrir/appels", PUBLIC),
        Case(
            "GET",
            "/decouvrir/actions",
            PUBLIC,
            "/decouvrir/actions?commune=Voiron&annee=2027&dispositif=reaap",
        ),
        Case("GET", "/decouvrir/carte", PUBLIC, "/decouvrir/carte?annee=2027"),
        Case("GET", V1 + "/exports/applications.csv", STAFF | FUNDERS),
        Case("GET", V1 + "/exports/applications.xlsx", STAFF | FUNDERS),
        Case("GET", "/exports/dossiers.csv", STAFF | FUNDERS),
        Case("GET", "/exports/dossiers.xlsx", STAFF | FUNDERS),
    ]


# ---------------------------------------------------------------- the routes the app serves


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route, walking included routers (recent FastAPI keeps
    them as wrappers in `app.router.routes`) and mounts."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            included = getattr(route, "include_context", None)
            if included is not None and hasattr(route, "original_router"):
                walk(list(route.original_router.routes), prefix + included.prefix)
            elif isinstance(route, Route):
                found.update(
                    (method, prefix + route.path)
                    for method in route.methods or ()
                    if method != "HEAD"
                )
            elif isinstance(route, Mount) and route.routes:
                walk(list(route.routes), prefix + route.path)
            elif isinstance(route, Mount):
                found.add(("GET", prefix + route.path + "/{path}"))
            else:
                raise AssertionError(f"a route of an unknown kind: {route!r}")

    walk(list(app.router.routes), "")
    return found


def test_the_table_names_every_route_the_app_serves_and_no_other(client: Any) -> None:
    served = served_routes(client.app)
    listed = {(case.method, case.route) for case in table()}
    assert served - listed == set(), "routes missing from the access table"
    assert listed - served == set(), "table rows naming routes the app does not serve"
    # The walk finds the page routes and the API routes alike.
    assert ("GET", "/api/v1/documents/{document_id}") in served
    assert ("POST", "/seances/{session_id}/decisions") in served


# ---------------------------------------------------------------- requests as each user


CSRF = "csrf-token-of-the-matrix"


def _fill(value: Any, world: World) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return world[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


def send(world: World, case: Case, user: str | None) -> Any:
    api = world.api
    client = api.client
    client.cookies.clear()
    kwargs: dict[str, Any] = {}
    body = dict(case.body)
    if body.get("json") == "call_body":
        body["json"] = api.call_body()
    elif body.get("json") == "session_body":
        body["json"] = {
            "call_id": world["call"],
            "title": "Séance",
            "starts_at": "2027-01-15T14:00:00+01:00",
            "location": "Grenoble",
        }
    for key, value in body.items():
        kwargs[key] = _fill(value, world) if key != "files" else value
    headers: dict[str, str] = {}
    if case.is_page:
        cookies = [f"cofinance_csrf={CSRF}"]
        if user is not None:
            token = api.headers[user]["Authorization"].removeprefix("Bearer ")
            cookies.append(f"cofinance_session={token}")
        headers["Cookie"] = "; ".join(cookies)
        if case.method == "POST":
            kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": CSRF}
    elif user is not None:
        headers.update(api.headers[user])
    return client.request(
        case.method,
        case.concrete(world),
        headers=headers,
        follow_redirects=False,
        **kwargs,
    )


def assert_refused(case: Case, user: str | None, response: Any) -> None:
    where = (case.method, case.route, user)
    status = response.status_code
    if user is None:
        if case.is_page:
            assert status == 303, (where, status)
            assert response.headers["location"].startswith("/connexion"), where
        else:
            assert status == 401, (where, status, response.text)
            assert response.json()["code"] == "unauthenticated", where
        return
    assert status in (403, 404), (where, status, response.text[:300])
    if case.is_page:
        assert "text/html" in response.headers["content-type"], where
    else:
        assert response.json()["code"] in ("forbidden", "not_found"), (where, response.text)


def assert_allowed(case: Case, user: str | None, response: Any) -> None:
    where = (case.method, case.route, user)
    status = response.status_code
    assert status < 500, (where, status, response.text[:300])
    if case.allowed == PUBLIC and case.route.endswith(("/token", "/connexion")):
        return  # signing in with a wrong password: a 401, as it should
    assert status not in (401, 403, 404), (where, status, response.text[:300])
    if case.method == "GET" and case.route not in ("/", "/connexion"):
        assert status == 200, (where, status, response.text[:300])


@pytest.fixture
def matrix_world(world: World) -> World:
    return world


def test_every_route_refuses_whoever_is_not_entitled_and_changes_nothing(
    matrix_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world = matrix_world
    api = world.api
    checked = 0
    for case in table():
        refused = [u for u in (None, *USERS) if u not in case.allowed]
        if not refused:
            continue
        before = stored(api.db, api.settings)
        for user in refused:
            assert_refused(case, user, send(world, case, user))
            checked += 1
        assert stored(api.db, api.settings) == before, (case.method, case.concrete(world))
    assert checked > 500


def test_every_route_lets_in_whoever_is_entitled(matrix_world: World) -> None:
    world = matrix_world
    # Reads first, then the writes: a write may move an object on (the later ones may then
    # answer 409 or 422), never make it someone else's.
    cases = sorted(table(), key=lambda c: c.method != "GET")
    for case in cases:
        if not case.check_allowed:
            continue
        for user in sorted(case.allowed, key=lambda u: u or ""):
            assert_allowed(case, user, send(world, case, user))


# ---------------------------------------------------------------- lists never show foreign rows


def _visible(world: World) -> Callable[[str], set[int]]:
    ids = world.ids
    submitted = {ids[k] for k in ("eligible", "ineligible", "scheduled", "decided", "convened_app")}
    mine = submitted | {ids["draft"]}

    def visible(user: str) -> set[int]:
        if user in STAFF:
            return mine | {ids["theirs"]}
        if user == "asso":
            return mine
        if user == "other":
            return {ids["theirs"]}
        if user in ASKED:
            return submitted | {ids["theirs"]}
        return set()

    return visible


def test_lists_never_contain_rows_of_others(matrix_world: World) -> None:
    world = matrix_world
    api = world.api
    visible = _visible(world)
    titles = {
        world[k]: t
        for k, t in (
            ("draft", "ASSO-DRAFT"),
            ("eligible", "ASSO-ELIGIBLE"),
            ("ineligible", "ASSO-INELIGIBLE"),
            ("scheduled", "ASSO-SCHEDULED"),
            ("decided", "ASSO-DECIDED"),
            ("convened_app", "ASSO-CONVENED"),
            ("theirs", "OTHER-ELIGIBLE"),
        )
    }
    for user in USERS:
        listed = api.ok(api.get(user, "/applications", params={"limit": 500}))
        assert {a["id"] for a in listed["items"]} == visible(user), user
        assert listed["total"] == len(visible(user)), user
        for state in ("draft", "eligible", "decided"):
            filtered = api.ok(api.get(user, "/applications", params={"state": state}))
            assert {a["id"] for a in filtered["items"]} <= visible(user), (user, state)
        notifications = api.ok(api.get(user, "/notifications", params={"limit": 500}))
        with api.db.reading() as session:
            from sqlmodel import select

            from engine.models import Notification, User

            me = session.exec(select(User).where(User.username == user)).one()
            own = {
                n.id
                for n in session.exec(select(Notification).where(Notification.user_id == me.id))
            }
        assert {n["id"] for n in notifications["items"]} == own, user
        sessions = api.get(user, "/sessions")
        if user in APPLICANTS:
            assert sessions.status_code == 403
        elif user == "ville1":
            assert sessions.json() == []
        else:
            assert len(sessions.json()) == 4, user
        # The pages list the same files, and no other.
        page = (
            "/demandes"
            if user in APPLICANTS
            else "/financeur/dossiers?vue=tous"  # every file, not only those to examine
            if user in FUNDERS
            else "/comite/dossiers"
        )
        api.client.cookies.clear()
        token = api.headers[user]["Authorization"].removeprefix("Bearer ")
        html = api.client.get(page, headers={"Cookie": f"cofinance_session={token}"}).text
        for application_id, title in titles.items():
            assert (title in html) == (application_id in visible(user)), (user, page, title)
    # Letters of a file: each reader sees only what is addressed to them.
    for user, kinds in (("asso", {"decision"}), ("caf1", {"funder"}), ("msa1", {"funder"})):
        letters = api.ok(api.get(user, f"/applications/{world['decided']}/letters"))
        assert {x["kind"] for x in letters} == kinds, user
        assert len(letters) == 1, user
    documents = api.ok(api.get("caf1", f"/applications/{world['eligible']}/documents"))
    assert {d["id"] for d in documents} >= {world["document"]}
    assert world["draft_document"] not in {d["id"] for d in documents}


# ---------------------------------------------------------------- access before state

# The object each acting route works on, by the name of its path parameter.
OBJECTS = {
    "{application_id}": "application",
    "{session_id}": "session",
    "{call_id}": "call",
    "{message_id}": "outbox",
}


def _every_state(world: World) -> None:
    """Add to the world what it lacks for every state of every workflow: a withdrawn and an
    incomplete file, the funder's share deferred and refused on files still in session, a file
    decided but not yet notified, a settled and a closed file, a cancelled session, a closed
    call."""
    from engine.services.production import run_production
    from engine.services.sessions import close_session
    from tests.security.conftest import actors, settled_and_closed

    api = world.api
    call = world["call"]
    # First: its close delivers every email waiting, which would notify the decided file below.
    settled_and_closed(world.api, world["call"])
    api.ok(api.post("asso", f"/applications/{api.draft(call, title='ASSO-W')['id']}/withdraw"))
    assert api.submitted(call, kinds=("rib",), title="ASSO-INCOMPLETE")["state"] == "incomplete"
    deferred = api.eligible(call, title="ASSO-CAF-DEFERRED")["id"]
    refused = api.eligible(call, title="ASSO-CAF-REFUSED")["id"]
    live = api.open_session(call, [deferred, refused])["id"]
    api.ok(api.decide(live, deferred, "caf", "deferred"), 201)
    api.ok(api.decide(live, refused, "caf", "refused"), 201)
    # Closed by the service itself, with no dispatch after it: the file stays decided.
    decided = api.eligible(call, title="ASSO-DECIDED-NOT-NOTIFIED")["id"]
    held = api.open_session(call, [decided])["id"]
    for funder in ("caf", "departement", "msa", "etat"):
        api.ok(api.decide(held, decided, funder, "refused"), 201)
    # Its letters produced, not yet delivered: the file stays decided.
    close_session(api.db, actors(api.db)["chair"], held, api.settings, produce=False)
    run_production(api.db, api.settings)
    api.move(api.session(call, title="Séance annulée")["id"], "cancel")
    api.ok(api.post("chair", f"/calls/{api.call()['id']}/close"))


def _objects(world: World) -> dict[str, dict[str, int]]:
    """For each kind of object, one id per state it is found in (asso's files: one per pair of
    the file's state and the state of its share of the CAF, the funder the routes name)."""
    from sqlmodel import select

    from engine.models import Application, Call, Funder, Meeting, OutboxMessage, Share
    from tests.security.conftest import actors

    found: dict[str, dict[str, int]] = {kind: {} for kind in OBJECTS.values()}
    asso = actors(world.api.db)["asso"].organisation_id
    with world.api.db.reading() as session:
        caf = session.exec(select(Funder).where(Funder.code == "caf")).one().id
        shares = {
            s.application_id: s.state
            for s in session.exec(select(Share).where(Share.funder_id == caf))
        }
        mine = select(Application).where(Application.organisation_id == asso)
        for application in session.exec(mine.order_by(Application.id)):  # type: ignore[arg-type]
            key = f"{application.state}/{shares[application.id]}"
            found["application"].setdefault(key, application.id or 0)
        for kind, model in (
            ("session", Meeting),
            ("call", Call),
            ("outbox", OutboxMessage),
        ):
            for row in session.exec(select(model).order_by(model.id)):  # type: ignore[attr-defined]
                found[kind].setdefault(row.state, row.id)
    return found


MISSING = 999_999  # an id no object has
# The GET deciding who may see each kind of object; acting on it answers as this GET would.
GETS = {
    "application": V1 + "/applications/{id}",
    "subject": V1 + "/sessions/{open_session}",
    "session": V1 + "/sessions/{id}",
    "call": V1 + "/calls/{id}",
    "outbox": V1 + "/outbox",
}


def _for_funder(body: dict[str, Any], code: str) -> dict[str, Any]:
    return {
        key: {**value, "funder": code} if isinstance(value, dict) and "funder" in value else value
        for key, value in body.items()
    }


def acting_cases() -> list[tuple[str, Case]]:
    """Every route that acts on one object (the transitions, and the edits and uploads that
    answer 409 from a state), with the object in its path replaced by `{target}`; the routes
    naming the CAF's share also for a funder outside the call acting for its own (nobody is
    entitled to that); the decision routes also with the file in their body as `{subject}`."""
    cases = []
    for case in table():
        kind = next((k for p, k in OBJECTS.items() if p in case.route), None)
        if case.method == "GET" or kind is None:
            continue
        target = re.sub(r"\{\w+\}", "{target}", case.path, count=1)
        cases.append((kind, Case(case.method, case.route, case.allowed, target, case.body)))
        if case.route == "/appels/{call_id}/{trigger}":
            closing = target.replace("/ouvrir", "/clore")
            cases.append((kind, Case(case.method, case.route, case.allowed, closing, case.body)))
        if "/caf/" in target or _for_funder(case.body, "grenoble") != case.body:
            outside = target.replace("/caf/", "/grenoble/")
            body = _for_funder(case.body, "grenoble")
            cases.append((kind, Case(case.method, case.route, frozenset(), outside, body)))
        for key, value in case.body.items():
            if isinstance(value, dict) and "application_id" in value:
                body = {**case.body, key: {**value, "application_id": "{subject}"}}
                cases.append(
                    ("subject", Case(case.method, case.route, case.allowed, case.path, body))
                )
                # The same body for a funder outside the call, where the body names a funder.
                outside_body = _for_funder(body, "grenoble")
                if outside_body != body:
                    cases.append(
                        (
                            "subject",
                            Case(case.method, case.route, frozenset(), case.path, outside_body),
                        )
                    )
    return cases


def test_a_stranger_gets_403_not_409_whatever_the_state(world: World) -> None:
    """Access is decided before state: on every route that acts on an object, for the object in
    every state of its workflow (files in each pair of file and CAF share states, sessions
    planned, convened, open, closed and cancelled, calls draft, open and closed, messages of the
    outbox) and for an object that does not exist, whoever is not entitled (nobody signed in,
    the holder of another file, a funder outside the call or not asked, a funder acting for
    another's share or for its own outside the call, a role that may never fire the trigger)
    gets 401, 403 or 404, never 409, and nothing changes. On the JSON API the answer is the one
    the object's GET gives that user when the GET refuses it, else 403."""
    from workflows import ALL

    _every_state(world)
    objects = _objects(world)
    api = world.api
    seen: dict[tuple[str, int, str], int] = {}

    def seen_by(kind: str, object_id: int, user: str) -> int:
        """The status of the GET of that object for that user."""
        if (kind, object_id, user) not in seen:
            path = GETS[kind].format(id=object_id, **world.ids).removeprefix(V1)
            seen[(kind, object_id, user)] = api.get(user, path).status_code
        return seen[(kind, object_id, user)]

    covered: dict[str, set[str]] = {"application": set(), "share": set()}
    checked = 0
    for kind, case in acting_cases():
        targets = {**objects["application" if kind == "subject" else kind], "missing": MISSING}
        for state, object_id in sorted(targets.items()):
            world.ids["subject" if kind == "subject" else "target"] = object_id
            if kind in ("application", "subject") and state != "missing":
                covered["application"].add(state.split("/")[0])
                covered["share"].add(state.split("/")[1])
            before = stored(api.db, api.settings)
            for user in (None, *USERS):
                if user in case.allowed:
                    continue
                response = send(world, case, user)
                assert_refused(case, user, response)
                if user is not None and not case.is_page:
                    shown = seen_by(kind, object_id, user)
                    expected = shown if shown in (403, 404) else 403
                    where = (case.method, case.concrete(world), user, shown)
                    assert response.status_code == expected, (where, response.text[:300])
                checked += 1
            assert stored(api.db, api.settings) == before, (case.method, case.concrete(world))
    assert covered["application"] == set(ALL["application"].state_ids())
    assert covered["share"] == set(ALL["share"].state_ids())
    assert set(objects["session"]) == set(ALL["session"].state_ids())
    assert set(objects["call"]) == set(ALL["call"].state_ids())
    assert checked > 3000
