"""The open-data file through the HTTP API: after a real year (files filed, granted, refused and
deferred in a session, closed), `GET /opendata/subventions.csv?year=Y` answers anyone the SCDL
« Subventions » 2.1.1 table, which validates against the committed Table Schema with
frictionless; one row per granted share, the rows the schema would refuse counted apart."""

from __future__ import annotations

import csv
import io
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from frictionless import Resource, Schema
from sqlmodel import col, select

from engine.clock import now, paris_date
from engine.models import Application, Meeting, Share
from engine.rulebook import default_registry
from engine.services.identity import rna_valid, siret_valid
from engine.services.opendata import COLUMNS, SCHEMA_FILE
from tests.api.conftest import Api

PATH = "/opendata/subventions.csv"
SCHEMA = files("engine.reference").joinpath(SCHEMA_FILE)
SIRETS = {"caf": "53408366500016", "departement": "22380001400019", "msa": "78149180700017"}


def schema() -> Schema:
    return Schema.from_descriptor(json.loads(SCHEMA.read_text(encoding="utf-8")))


def funding_year(api: Api, application_id: int) -> int:
    """The file's funding year: its reference date's."""
    with api.db.reading() as session:
        application = session.get(Application, application_id)
        assert application is not None and application.reference_date is not None
        return application.reference_date.year


def rows_of(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def assert_valid(body: bytes, folder: Path) -> None:
    """The file against the committed schema (frictionless), and the schema's custom checks
    that frictionless does not run (Validata's): SIRET keys, a SIRET or an RNA per row."""
    path = folder / "subventions.csv"
    path.write_bytes(body)
    report = Resource(path=path.name, basepath=str(folder), schema=schema()).validate()
    errors = [e.message for task in report.tasks for e in task.errors]
    assert report.valid, "\n".join(errors)
    for row in rows_of(body):
        assert siret_valid(row["idAttribuant"]), row
        assert row["idBeneficiaire"] or row["rnaBeneficiaire"], row
        assert not row["idBeneficiaire"] or siret_valid(row["idBeneficiaire"]), row
        assert not row["rnaBeneficiaire"] or rna_valid(row["rnaBeneficiaire"]), row


@pytest.fixture
def year(api: Api) -> dict[str, Any]:
    """Three funders with a SIRET (not the État); two files decided in a closed session, one in
    a session still open. asso's: Caf and Département granted, État granted (no SIRET), MSA
    refused. other's: Caf granted, Département deferred, MSA granted. The third: Caf granted
    while its session is open (the decision may still be corrected)."""
    for code, siret in SIRETS.items():
        api.ok(api.patch("admin", f"/funders/{code}", json={"siret": siret}))
    call = api.call()
    mine = api.eligible(call["id"], title="Café des parents")
    theirs = api.eligible(call["id"], user="other", title="Ateliers parents-enfants")
    meeting = api.open_session(call["id"], [mine["id"], theirs["id"]])
    decisions = [
        (mine, "caf", "granted", "3000.00"),
        (mine, "departement", "granted", "1200.00"),
        (mine, "etat", "granted", "300.00"),
        (mine, "msa", "refused", None),
        (theirs, "caf", "granted", "2500.00"),
        (theirs, "departement", "deferred", None),
        (theirs, "etat", "refused", None),
        (theirs, "msa", "granted", "200.00"),
    ]
    for application, funder, outcome, amount in decisions:
        api.ok(api.decide(meeting["id"], application["id"], funder, outcome, amount), 201)
    api.move(meeting["id"], "close")
    pending = api.eligible(call["id"], title="Rencontres en soirée")
    later = api.open_session(call["id"], [pending["id"]])
    api.ok(api.decide(later["id"], pending["id"], "caf", "granted", "1000.00"), 201)
    return {"mine": mine, "theirs": theirs, "pending": pending}


def test_anyone_downloads_the_years_table_valid_against_the_scdl_schema(
    api: Api, year: dict[str, Any], tmp_path: Path
) -> None:
    year_of = funding_year(api, year["mine"]["id"])
    response = api.get(None, PATH, params={"year": year_of})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="subventions-{year_of}.csv"'
    )
    body = response.content
    assert body.decode("utf-8").splitlines()[0] == ",".join(COLUMNS)
    assert_valid(body, tmp_path)

    rows = rows_of(body)
    assert sorted((r["nomAttribuant"], r["nomBeneficiaire"], r["montant"]) for r in rows) == [
        ("Caf de l'Isère", "Café des parents de l'Abbaye", "3000.00"),
        ("Caf de l'Isère", "Maison des familles de Voiron", "2500.00"),
        ("Département de l'Isère", "Café des parents de l'Abbaye", "1200.00"),
        ("MSA Alpes du Nord", "Maison des familles de Voiron", "200.00"),
    ]
    # The État granted 300 € but has no SIRET: its row is left out, and counted.
    assert response.headers["x-rows-left-out"] == "1"

    today = paris_date(now()).isoformat()
    caf = next(r for r in rows if r["montant"] == "3000.00")
    assert caf["idAttribuant"] == SIRETS["caf"]
    assert caf["dateConvention"] == today  # a notification: the decision is the act
    assert caf["referenceDecision"] == api.application(year["mine"]["id"])["reference"]
    assert caf["idBeneficiaire"] == "78778932087925"
    assert caf["rnaBeneficiaire"] == "W381000123"
    assert caf["objet"] == "Café des parents"
    assert (caf["nature"], caf["notificationUE"], caf["idRAE"]) == ("aide en numéraire", "non", "")
    # Advance then balance, from the decision's day to the action's end.
    assert caf["conditionsVersement"] == "échelonné"
    assert caf["datesPeriodeVersement"] == f"{today}/2027-12-15"
    assert caf["pourcentageSubvention"] == "1.00"  # one beneficiary per share
    assert caf["dispositifAide"] == default_registry().schemes["reaap"].label


def test_the_rows_are_the_granted_shares_of_the_year_decided_in_closed_sessions(
    api: Api, year: dict[str, Any]
) -> None:
    year_of = funding_year(api, year["mine"]["id"])
    response = api.get(None, PATH, params={"year": year_of})
    rows = rows_of(response.content)
    with api.db.reading() as session:
        granted = session.exec(
            select(Share, Application)
            .join(Application, col(Application.id) == col(Share.application_id))
            .join(Meeting, col(Meeting.id) == col(Share.session_id))
            .where(Share.state == "granted", Meeting.state == "closed")
        ).all()
    of_year = [s for s, a in granted if a.reference_date and a.reference_date.year == year_of]
    assert len(rows) + int(response.headers["x-rows-left-out"]) == len(of_year) == 5
    # Refused, deferred and still-open decisions are absent.
    titles = {(r["objet"], r["montant"]) for r in rows}
    assert ("Rencontres en soirée", "1000.00") not in titles
    assert not {r["nomAttribuant"] for r in rows if r["objet"] == "Café des parents"} & {
        "MSA Alpes du Nord"
    }
    assert {r["nomAttribuant"] for r in rows if r["objet"] == "Ateliers parents-enfants"} == {
        "Caf de l'Isère",
        "MSA Alpes du Nord",
    }


def test_a_year_without_grants_is_the_header_row_alone(api: Api, tmp_path: Path) -> None:
    response = api.get(None, PATH, params={"year": 2031})
    assert response.status_code == 200, response.text
    assert response.content == (",".join(COLUMNS) + "\r\n").encode("utf-8")
    assert response.headers["x-rows-left-out"] == "0"
    assert_valid(response.content, tmp_path)


@pytest.mark.parametrize("value", ["1999", "2101", "deux-mille", "", "2027.5"])
def test_an_unknown_year_is_refused_naming_year(api: Api, value: str) -> None:
    api.invalid("year", None, "GET", f"{PATH}?year={value}")


def test_the_year_is_required(api: Api) -> None:
    api.invalid("year", None, "GET", PATH)


def test_the_committed_schema_is_the_scdl_subventions_2_1_1_table() -> None:
    table = schema()
    assert table.field_names == list(COLUMNS)
    descriptor = table.to_descriptor()
    assert descriptor["version"] == "2.1.1"
    required = {f.name for f in table.fields if f.constraints.get("required")}
    assert required == {
        "nomAttribuant",
        "idAttribuant",
        "dateConvention",
        "nomBeneficiaire",
        "objet",
        "montant",
        "nature",
        "conditionsVersement",
        "datesPeriodeVersement",
        "notificationUE",
        "pourcentageSubvention",
    }
