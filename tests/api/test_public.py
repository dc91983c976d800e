"""The public information, no login (DESIGN §11): the open calls, the catalogue of funded
actions and its filters, and nothing there that the law does not already make public."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from engine.db import Database
from engine.models import (
    Application,
    Blob,
    Call,
    CallEnvelope,
    Document,
    Event,
    Funder,
    Opinion,
    Organisation,
    Share,
    User,
)
from tests.api.conftest import Api

PUBLIC = "/api/v1/public"
# Private values planted on the funded actions: none may ever show on the public pages.
PRIVATE = {
    "holder email": "secretariat.prive@abbaye.example",
    "holder address": "12 impasse Confidentielle",
    "holder siret": "44306184100047",
    "person name": "Gwendoline Personnaprivée",
    "person email": "gwendoline.privee@example.net",
    "person title": "Trésorière Confidentielle",
    "share comment": "Commentaire interne du financeur XQZ",
    "share conditions": "Condition secrète de versement XQZ",
    "share explanation": "Explication interne des règles XQZ",
    "opinion comment": "Avis réservé confidentiel XQZ",
    "document name": "statuts-confidentiels-xqz.pdf",
    "override reason": "Dérogation motivée confidentielle XQZ",
    "event reason": "Motif de transition confidentiel XQZ",
    "requested amount": "4321.09",
    "reference": "REAAP-2026-XQZ",
}
# Every field the public answers carry: a new one must be added here, knowingly.
CALL_FIELDS = {
    "id",
    "title",
    "scheme",
    "scheme_label",
    "opens_at",
    "closes_at",
    "funders",
    "apply_url",
}
ACTION_FIELDS = {
    "title",
    "holder",
    "scheme",
    "scheme_label",
    "year",
    "communes",
    "period_start",
    "period_end",
    "funders",
}
COMMUNE_FIELDS = {"insee", "name"}


def _ids(db: Database) -> tuple[dict[str, int], int]:
    with db.reading() as session:
        funders = {f.code: f.id or 0 for f in session.exec(select(Funder))}
        holder = session.exec(select(User).where(User.username == "asso")).one()
    return funders, holder.id or 0


def call_row(db: Database, scheme: str = "reaap", state: str = "closed", **changes: Any) -> int:
    moment = datetime.now(UTC)
    funders, _ = _ids(db)
    with db.transaction() as session:
        call = Call(
            scheme=scheme,
            title=changes.get("title", f"Appel {scheme}"),
            opens_at=changes.get("opens_at", moment - timedelta(days=90)),
            closes_at=changes.get("closes_at", moment - timedelta(days=30)),
            state=state,
        )
        session.add(call)
        session.flush()
        for code in ("caf", "departement"):
            session.add(
                CallEnvelope(call_id=call.id or 0, funder_id=funders[code], envelope=Decimal(1000))
            )
        return call.id or 0


def action_row(
    db: Database,
    call_id: int,
    title: str,
    territory: list[str],
    *,
    granted: tuple[str, ...] = ("caf",),
    refused: tuple[str, ...] = (),
    state: str = "notified",
    year: int = 2026,
    holder: str = "Café des parents de l'Abbaye",
    private: bool = False,
) -> int:
    """A decided application straight in the database, its shares granted or refused; with
    `private`, every private value of PRIVATE planted around it."""
    funders, user_id = _ids(db)
    with db.transaction() as session:
        organisation = session.exec(
            select(Organisation).where(Organisation.name == holder)
        ).first() or Organisation(name=holder)
        if private:
            organisation.email = PRIVATE["holder email"]
            organisation.address = PRIVATE["holder address"]
            organisation.siret = PRIVATE["holder siret"]
            person = session.get(User, user_id)
            assert person is not None
            person.name = PRIVATE["person name"]
            person.email = PRIVATE["person email"]
            person.title = PRIVATE["person title"]
        session.add(organisation)
        session.flush()
        application = Application(
            call_id=call_id,
            organisation_id=organisation.id or 0,
            created_by=user_id,
            title=title,
            state=state,
            reference=PRIVATE["reference"] if private else None,
            data={
                "territory": territory,
                "period": {"start": f"{year}-02-01", "end": f"{year}-12-15"},
                "budget": {"total_cost": "6000.00"},
            },
            reference_date=date(year, 1, 20),
            submitted_at=datetime(year, 1, 20, 10, tzinfo=UTC),
            override_reason=PRIVATE["override reason"] if private else None,
        )
        session.add(application)
        session.flush()
        application_id = application.id or 0
        for code in granted + refused:
            session.add(
                Share(
                    application_id=application_id,
                    funder_id=funders[code],
                    state="granted" if code in granted else "refused",
                    requested=Decimal(PRIVATE["requested amount"]),
                    granted=Decimal("1000.00") if code in granted else None,
                    comment=PRIVATE["share comment"] if private else None,
                    conditions=PRIVATE["share conditions"] if private else None,
                    explanation=PRIVATE["share explanation"] if private else None,
                )
            )
        if private:
            session.add(
                Opinion(
                    application_id=application_id,
                    funder_id=funders["msa"],
                    user_id=user_id,
                    opinion="reserved",
                    comment=PRIVATE["opinion comment"],
                )
            )
            blob = Blob(sha256="0" * 64, size=3, content=b"pdf")
            session.add(blob)
            session.flush()
            session.add(
                Document(
                    application_id=application_id,
                    kind="statuts",
                    filename=PRIVATE["document name"],
                    blob_id=blob.id,
                    content_type="application/pdf",
                    size=3,
                    sha256="0" * 64,
                    uploaded_by=user_id,
                )
            )
            session.add(
                Event(
                    entity="application",
                    entity_id=application_id,
                    application_id=application_id,
                    actor_id=user_id,
                    action="decide",
                    reason=PRIVATE["event reason"],
                )
            )
        return application_id


def _titles(client: TestClient, **query: Any) -> list[str]:
    response = client.get(f"{PUBLIC}/actions", params=query)
    assert response.status_code == 200, response.text
    return [a["title"] for a in response.json()]


@pytest.fixture
def catalogue(api: Api, db: Database) -> dict[str, int]:
    """Funded actions in Voiron, Grenoble and a commune merged since 2018, and files that must
    stay out of the catalogue (refused, undecided, of another year, of another scheme)."""
    reaap = call_row(db)
    clas = call_row(db, "clas")
    return {
        "voiron": action_row(db, reaap, "Café des parents de Voiron", ["38563"], private=True),
        "grenoble": action_row(
            db, reaap, "Ateliers parents-enfants", ["38185", "38563"], granted=("caf", "msa")
        ),
        "merged": action_row(db, clas, "Coup de pouce à Balbins", ["38025"]),
        "refused": action_row(db, reaap, "Action refusée", ["38563"], granted=(), refused=("caf",)),
        "undecided": action_row(db, reaap, "Action en séance", ["38563"], state="scheduled"),
        "older": action_row(db, reaap, "Action de 2025", ["38563"], year=2025),
    }


def test_the_catalogue_lists_the_funded_actions_to_anyone_without_a_token(
    api: Api, catalogue: dict[str, int]
) -> None:
    response = api.get(None, "/public/actions", params={"year": 2026})
    actions = {a["title"]: a for a in api.ok(response)}
    assert list(actions) == [
        "Ateliers parents-enfants",
        "Café des parents de Voiron",
        "Coup de pouce à Balbins",
    ]
    both = actions["Ateliers parents-enfants"]
    assert both["holder"] == "Café des parents de l'Abbaye"
    assert both["scheme"] == "reaap" and both["scheme_label"] != "reaap"
    assert both["year"] == 2026
    assert both["communes"] == [
        {"insee": "38185", "name": "Grenoble"},
        {"insee": "38563", "name": "Voiron"},
    ]
    assert (both["period_start"], both["period_end"]) == ("2026-02-01", "2026-12-15")
    assert both["funders"] == ["Caf de l'Isère", "MSA Alpes du Nord"]  # the granted ones only
    # A 2018 code merged since is shown as its current commune.
    assert actions["Coup de pouce à Balbins"]["communes"] == [
        {"insee": "38284", "name": "Ornacieux-Balbins"}
    ]


def test_the_catalogue_filters_by_commune_scheme_and_year(
    api: Api, catalogue: dict[str, int]
) -> None:
    client = api.client
    voiron = ["Ateliers parents-enfants", "Café des parents de Voiron"]
    assert _titles(client, year=2026, commune="38563") == voiron
    assert _titles(client, commune="38563") == ["Action de 2025", *voiron]
    assert _titles(client, year=2026, commune="38185") == ["Ateliers parents-enfants"]
    assert _titles(client, year=2026, scheme="clas") == ["Coup de pouce à Balbins"]
    assert _titles(client, year=2026, scheme="clas", commune="38563") == []
    # The commune merged since 2018 is found by its old code and by its current one.
    assert _titles(client, commune="38025") == ["Coup de pouce à Balbins"]
    assert _titles(client, commune="38284") == ["Coup de pouce à Balbins"]
    assert _titles(client, year=2025) == ["Action de 2025"]


def test_a_year_without_actions_gives_an_empty_list_not_an_error(
    api: Api, catalogue: dict[str, int]
) -> None:
    assert _titles(api.client, year=2031) == []
    assert _titles(api.client, year=2031, commune="38563", scheme="laep") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "deux-mille"}, "year"),
        ({"year": "1999"}, "year"),
        ({"year": "2101"}, "year"),
        ({"scheme": "caf"}, "scheme"),
        ({"scheme": "REAAP"}, "scheme"),
        ({"commune": "99999"}, "commune"),
        ({"commune": "Voiron"}, "commune"),
        ({"year": "2026", "commune": "38563", "scheme": "inconnu"}, "scheme"),
    ],
)
def test_an_unknown_year_scheme_or_commune_is_refused_naming_the_parameter(
    api: Api, query: dict[str, str], field: str
) -> None:
    response = api.get(None, "/public/actions", params=query)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["message"]


def test_the_open_calls_give_their_deadline_funders_and_where_to_apply(
    api: Api, db: Database
) -> None:
    moment = datetime.now(UTC)
    open_id = call_row(
        db,
        "laep",
        "open",
        title="Lieux d'accueil enfants-parents 2027",
        closes_at=moment + timedelta(days=20),
    )
    call_row(db, "reaap", "closed", title="Appel clos")
    call_row(
        db, "clas", "draft", title="Appel en préparation", closes_at=moment + timedelta(days=9)
    )
    call_row(
        db, "pif", "open", title="Échu, pas encore clos", closes_at=moment - timedelta(hours=1)
    )
    calls = api.ok(api.get(None, "/public/calls"))
    assert [c["title"] for c in calls] == ["Lieux d'accueil enfants-parents 2027"]
    call = calls[0]
    assert set(call) == CALL_FIELDS
    assert call["id"] == open_id
    assert call["scheme"] == "laep" and call["scheme_label"] != "laep"
    assert call["funders"] == ["Caf de l'Isère", "Département de l'Isère"]
    assert datetime.fromisoformat(call["closes_at"]) > moment
    assert call["apply_url"] == f"/connexion?suivant=/demandes/nouvelle%3Fappel%3D{open_id}"
    # The link leads to the sign-in page, which then opens this call's form.
    page = api.client.get(call["apply_url"])
    assert page.status_code == 200
    assert f"/demandes/nouvelle?appel={open_id}" in page.text


def test_a_file_decided_in_session_enters_the_catalogue(api: Api) -> None:
    """The real life: submitted, decided in a session that closes, then public."""
    call = api.call()
    application = api.eligible(call["id"], api.body(territory=["38563"]), title="Parents à Voiron")
    meeting = api.open_session(call["id"], [application["id"]])
    api.ok(api.decide(meeting["id"], application["id"], "caf", "granted", "2500.00"), 201)
    for funder in ("departement", "etat", "msa"):
        api.ok(api.decide(meeting["id"], application["id"], funder, "refused"), 201)
    assert _titles(api.client, commune="38563") == []  # not before the session closes
    api.move(meeting["id"], "close")
    actions = api.ok(api.get(None, "/public/actions", params={"commune": "38563"}))
    assert [(a["title"], a["funders"]) for a in actions] == [
        ("Parents à Voiron", ["Caf de l'Isère"])
    ]


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [str(value)]


def _visible(html: str) -> str:
    """The page's text and attribute values, entities decoded, as a reader could find them."""
    import html as html_module

    return html_module.unescape(re.sub(r"\s+", " ", html))


def test_the_public_answers_and_pages_carry_only_public_fields(
    api: Api, db: Database, catalogue: dict[str, int]
) -> None:
    moment = datetime.now(UTC)
    call_row(db, "reaap", "open", title="Reaap 2027", closes_at=moment + timedelta(days=20))
    calls = api.ok(api.get(None, "/public/calls"))
    actions = api.ok(api.get(None, "/public/actions"))
    assert calls and actions
    assert all(set(c) == CALL_FIELDS for c in calls)
    assert all(set(a) == ACTION_FIELDS for a in actions)
    assert all(set(c) == COMMUNE_FIELDS for a in actions for c in a["communes"])
    pages = [
        api.client.get(path).text
        for path in (
            "/decouvrir",
            "/decouvrir/appels",
            "/decouvrir/actions",
            "/decouvrir/actions?commune=Voiron&annee=2026",
            "/decouvrir/carte",
        )
    ]
    shown = [*_texts(calls), *_texts(actions), *map(_visible, pages)]
    for what, value in PRIVATE.items():
        for variant in (
            {value, value.replace(".", ","), f"{Decimal(value):,.2f}"}
            if (what == "requested amount")
            else {value}
        ):
            assert not any(variant in text for text in shown), (what, variant)
    assert not any("@" in text for text in _texts(actions) + _texts(calls))
    # ...while the public fields are there, on the pages too.
    catalogue_page = pages[3]
    assert "Café des parents de Voiron" in catalogue_page
    assert "Café des parents de l&#39;Abbaye" in catalogue_page
    assert "Ateliers parents-enfants" in catalogue_page
    assert "Coup de pouce à Balbins" not in catalogue_page


def test_the_public_pages_open_without_signing_in(api: Api, catalogue: dict[str, int]) -> None:
    for path in ("/decouvrir", "/decouvrir/appels", "/decouvrir/actions", "/decouvrir/carte"):
        response = api.client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
        assert "Se déconnecter" not in response.text


def test_the_catalogue_page_finds_a_commune_by_name_or_code_and_says_what_is_wrong(
    api: Api, catalogue: dict[str, int]
) -> None:
    client = api.client
    by_name = client.get("/decouvrir/actions", params={"commune": "voiron", "annee": "2026"})
    assert by_name.status_code == 200
    assert "Café des parents de Voiron" in by_name.text
    assert 'value="Voiron (38563)"' in by_name.text
    assert "2 actions financées" in by_name.text
    # At first the latest year; « Toutes les années » (an empty year) is every year.
    latest = client.get("/decouvrir/actions", params={"commune": "Voiron (38563)"})
    assert "Café des parents de Voiron" in latest.text
    assert "Action de 2025" not in latest.text
    every = client.get("/decouvrir/actions", params={"commune": "Voiron (38563)", "annee": ""})
    assert "Action de 2025" in every.text and "3 actions financées" in every.text
    empty = client.get("/decouvrir/actions", params={"annee": "2031"})
    assert empty.status_code == 200
    assert "Aucune action financée ne correspond" in empty.text
    wrong = client.get(
        "/decouvrir/actions", params={"commune": "voir", "annee": "deux", "dispositif": "x"}
    )
    assert wrong.status_code == 422
    text = _visible(wrong.text)
    assert "Commune inconnue : voir" in text
    assert "Année inconnue : deux" in text
    assert "Dispositif inconnu : x" in text
    assert "Vouliez-vous dire" in text and ">Voiron (38563)</a>" in text  # no script needed
    # The open data file of the year shown is linked, and public.
    link = "/api/v1/opendata/subventions.csv?year=2026"
    assert link in by_name.text
    assert client.get(link).status_code == 200
