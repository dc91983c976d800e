"""Staff exports of the applications list: one row per application × funder share, French
headers and labels, the list's filters, a funder's own rows only, as CSV and as XLSX."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from engine.access import Actor
from engine.services import queries
from engine.services.exports.columns import HEADERS
from engine.services.exports.spreadsheets import XLSX_MEDIA_TYPE
from tests.api.conftest import Api, reaap_body

CSV = "/exports/applications.csv"
XLSX = "/exports/applications.xlsx"


@pytest.fixture
def files(api: Api) -> dict[str, Any]:
    """One call, three files: the Abbaye's café (four shares, Caf's proposed), Voiron's
    workshop over two communes (Caf and MSA only), and a draft the funders cannot see."""
    call = api.call()
    cafe = api.submitted(call["id"], title="Café des parents")
    path = f"/applications/{cafe['id']}/shares/caf/propose"
    api.ok(api.post("caf1", path, json={"amount": "2500.00"}))
    body = reaap_body(territory=["38563", "38185"], requests={"caf": "2000.00", "msa": "500.00"})
    workshop = api.submitted(call["id"], body, user="other", title="Atelier parents Voiron")
    draft = api.draft(call["id"], title="Brouillon")
    return {"call": call, "cafe": cafe, "workshop": workshop, "draft": draft}


def table(response: Any) -> list[dict[str, str]]:
    """The CSV answer as rows keyed by their header (checking the BOM and `;` on the way)."""
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert tuple(lines[0]) == HEADERS
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def references(rows: list[dict[str, str]]) -> set[str]:
    return {row["Référence"] for row in rows}


def fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["errors"]]


def test_the_chair_exports_one_row_per_file_and_share_in_french(
    api: Api, files: dict[str, Any]
) -> None:
    response = api.get("chair", CSV)
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="dossiers-\d{4}-\d{2}-\d{2}\.csv"', disposition)
    rows = table(response)
    assert len(rows) == 4 + 2 + 4  # every share of every file, the draft's too
    cafe = [r for r in rows if r["Intitulé"] == "Café des parents"]
    assert [r["Financeur"] for r in cafe] == [
        "Caf de l'Isère",
        "Département de l'Isère",
        "Préfecture de l'Isère",
        "MSA Alpes du Nord",
    ]
    caf = cafe[0]
    assert caf["Référence"] == files["cafe"]["reference"]
    assert caf["Porteur"] == "Café des parents de l'Abbaye"
    assert caf["Dispositif"].startswith("Reaap — Réseaux d'écoute")
    assert caf["Appel"] == "Appel à projets Reaap 2027"
    assert caf["État du dossier"] == "Recevable"
    assert caf["Montant demandé"] == "3000,00"
    assert caf["Montant proposé"] == "2500,00"
    assert caf["Montant accordé"] == ""
    assert caf["État de la part"] == "Proposée"
    assert caf["Communes"] == "Grenoble"
    assert caf["Début de l'action"] == "01/02/2027"
    assert caf["Fin de l'action"] == "15/12/2027"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", caf["Date de dépôt"])
    assert caf["Date de décision"] == ""
    workshop = next(r for r in rows if r["Intitulé"] == "Atelier parents Voiron")
    assert workshop["Communes"] == "Voiron, Grenoble"
    draft = [r for r in rows if r["Intitulé"] == "Brouillon"]
    assert {r["État du dossier"] for r in draft} == {"Brouillon"}
    assert {r["Date de dépôt"] for r in draft} == {""}
    # Labels everywhere, never an internal code.
    shown = {value for row in rows for value in row.values()}
    assert not shown & {"caf", "msa", "reaap", "eligible", "draft", "requested", "proposed"}
    point = table(api.get("admin", CSV, params={"decimal": "point"}))
    assert point[0]["Montant demandé"] == "3000.00"


def test_the_workbook_has_a_bold_frozen_header_euro_amounts_and_real_dates(
    api: Api, files: dict[str, Any]
) -> None:
    response = api.get("chair", XLSX)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert re.search(
        r'filename="dossiers-\d{4}-\d{2}-\d{2}\.xlsx"', response.headers["content-disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.title == "Dossiers"
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert tuple(header) == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == 1 + 10
    assert sheet.column_dimensions["B"].width == 40
    column = {title: index for index, title in enumerate(header)}
    caf = sheet[2]
    assert caf[column["Référence"]].value == files["cafe"]["reference"]
    assert caf[column["Financeur"]].value == "Caf de l'Isère"
    requested = caf[column["Montant demandé"]]
    assert requested.value == 3000 and isinstance(requested.value, int | float)
    assert "€" in requested.number_format
    assert caf[column["Montant proposé"]].value == 2500
    assert caf[column["Montant accordé"]].value is None
    filed = caf[column["Date de dépôt"]]
    assert isinstance(filed.value, datetime) and filed.number_format == "dd/mm/yyyy"
    assert caf[column["Début de l'action"]].value == datetime(2027, 2, 1)
    assert caf[column["État de la part"]].value == "Proposée"


def test_a_funder_gets_only_its_own_shares_of_the_files_it_sees(
    api: Api, files: dict[str, Any]
) -> None:
    caf = table(api.get("caf1", CSV))
    assert {r["Financeur"] for r in caf} == {"Caf de l'Isère"}
    assert references(caf) == {files["cafe"]["reference"], files["workshop"]["reference"]}
    assert len(caf) == 2  # not the draft's
    etat = table(api.get("etat1", CSV))
    assert [(r["Référence"], r["Financeur"]) for r in etat] == [
        (files["cafe"]["reference"], "Préfecture de l'Isère")
    ]
    assert table(api.get("ville1", CSV)) == []  # asked for nothing
    sheet = load_workbook(io.BytesIO(api.get("msa1", XLSX).content)).active
    assert sheet is not None
    assert {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"MSA Alpes du Nord"}
    assert sheet.max_row == 1 + 2


FILTERS = (
    {"state": "eligible"},
    {"state": "draft"},
    {"view": "a_instruire"},
    {"view": "decides"},
    {"search": "voiron"},
    {"search": "CAFÉ", "view": "tous"},
)


@pytest.mark.parametrize("user", ["chair", "caf1"])
def test_the_export_keeps_the_files_the_list_shows_with_the_same_filters(
    api: Api, files: dict[str, Any], user: str
) -> None:
    role, funder = ("chair", None) if user == "chair" else ("funder", _funder_id(api, "caf"))
    actor = Actor(id=None, role=role, name=user, funder_id=funder)
    for filters in FILTERS:
        query = {**filters, "call_id": str(files["call"]["id"])}
        rows = table(api.get(user, CSV, params=query))
        view = query.get("view")
        listed = queries.list_applications(
            api.db,
            actor,
            files["call"]["id"],
            query.get("state"),
            0,
            500,
            view=None if view == "tous" else view,
            search=query.get("search"),
        )
        expected = {item.application.reference or "" for item in listed.items}
        assert references(rows) == expected, query
        if "view" not in query and "search" not in query:  # the JSON list: call and state
            answer = api.ok(api.get(user, "/applications", params=query))
            assert references(rows) == {item["reference"] or "" for item in answer["items"]}
    # A filter that keeps something, and one that keeps nothing, really filter.
    voiron = table(api.get(user, CSV, params={"search": "voiron"}))
    assert references(voiron) == {files["workshop"]["reference"]}
    assert table(api.get(user, CSV, params={"state": "closed"})) == []


def _funder_id(api: Api, code: str) -> int:
    from sqlmodel import select

    from engine.models import Funder

    with api.db.reading() as session:
        return session.exec(select(Funder.id).where(Funder.code == code)).one() or 0


def test_a_bad_filter_is_refused_naming_it(api: Api, files: dict[str, Any]) -> None:
    for path in (CSV, XLSX):
        assert fields(api.get("chair", path, params={"state": "nowhere"})) == ["state"]
        assert fields(api.get("chair", path, params={"view": "all"})) == ["view"]
        assert fields(api.get("chair", path, params={"call_id": "abc"})) == ["call_id"]
        assert fields(api.get("chair", path, params={"call_id": "999999"})) == ["call_id"]
        assert fields(api.get("caf1", path, params={"search": "x" * 201})) == ["search"]
    assert fields(api.get("chair", CSV, params={"decimal": "virgule"})) == ["decimal"]


def test_holders_may_not_export_and_strangers_must_sign_in(api: Api, files: dict[str, Any]) -> None:
    for path in (CSV, XLSX):
        assert api.get("asso", path).status_code == 403
        assert api.get(None, path).status_code == 401


def test_ten_thousand_shares_export_in_seconds(api: Api, files: dict[str, Any]) -> None:
    """2 500 filed files × 4 shares: both files hold the 10 000 rows (and the first 10 more),
    built well within a request's patience (measured: see the timings printed with -s)."""
    from decimal import Decimal

    from sqlalchemy import insert
    from sqlmodel import select

    from engine.clock import now
    from engine.models import Application, Funder, Share

    inserting = time.perf_counter()
    with api.db.transaction() as session:
        cafe = session.get(Application, files["cafe"]["id"])
        assert cafe is not None
        funders = list(session.exec(select(Funder.id).where(Funder.code != "grenoble")))
        moment = now()
        copy = {
            "call_id": cafe.call_id,
            "organisation_id": cafe.organisation_id,
            "created_by": cafe.created_by,
            "state": "eligible",
            "data": cafe.data,
            "submitted_at": moment,
            "created_at": moment,
            "version": 1,
        }
        session.execute(
            insert(Application),
            [
                {**copy, "reference": f"REAAP-2027-{n + 10_000:05d}", "title": f"Action {n}"}
                for n in range(2500)
            ],
        )
        added = session.exec(select(Application.id).where(Application.title.startswith("Action ")))
        session.execute(
            insert(Share),
            [
                {
                    "application_id": application,
                    "funder_id": funder,
                    "requested": Decimal("1000.00"),
                    "state": "requested",
                    "failed": [],
                    "version": 1,
                }
                for application in added
                for funder in funders
            ],
        )
    timings = {"insert": time.perf_counter() - inserting}
    for path in (CSV, XLSX):
        started = time.perf_counter()
        response = api.get("chair", path)
        timings[path] = time.perf_counter() - started
        assert response.status_code == 200
        if path == CSV:
            assert len(table(response)) == 10_000 + 10
        else:
            sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
            assert sheet is not None
            assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 1 + 10_000 + 10
    print(f"10 010 rows: {timings}")
    assert all(seconds < 60 for seconds in timings.values()), timings
