"""The public simulator: `/api/v1/health`, `/api/v1/schemes`, `POST /api/v1/rules/evaluate`."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.main import create_app
from engine.messages import MESSAGES

EVALUATE = "/api/v1/rules/evaluate"
DOCUMENTS = [
    "cerfa_12156",
    "rib",
    "budget",
    "statuts",
    "officers_list",
    "approved_accounts",
    "activity_report",
]
CAFE = {
    "holder": {
        "kind": "association",
        "siret": "78778932087925",
        "rna": "W381000123",
        "cer_signed": True,
    },
    "documents": DOCUMENTS,
    "renewal": False,
    "territory": ["38185"],
    "period": {"start": "2025-02-01", "end": "2025-12-15"},
    "budget": {"total_cost": "6000.00", "investment_costs": "0", "other_resources": "1000.00"},
    "requests": {"caf": "3000.00", "departement": "1000.00", "etat": "500.00", "msa": "500.00"},
    "facts": {
        "children_max_age": 18,
        "open_to_all": True,
        "modality": "parent_exchange",
        "therapeutic": False,
        "parents_involved": True,
        "fee_per_session": "0",
        "commercial": False,
        "reaap_charter_signed": True,
        "laicite_charter_accepted": True,
        "staff_cost_share": 0.5,
    },
}

CLAS_FACTS = {
    "outside_school_time": True,
    "axes": ["children", "parents", "school", "local_partners"],
    "homework_help_only": False,
    "orientation_agreed": True,
    "qpv": False,
    "groups": [{"children": 10, "intervenants": 2, "cost": "5000.00", "levels": ["CM1"]}],
}


def body(**changes: Any) -> dict[str, Any]:
    return {"scheme": "reaap", "date": "2025-01-20", "application": copy.deepcopy(CAFE), **changes}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def test_health_says_ok(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_schemes_lists_every_scheme_with_its_label_and_rules(client: TestClient) -> None:
    response = client.get("/api/v1/schemes")
    assert response.status_code == 200
    schemes = {item["code"]: item for item in response.json()}
    assert set(schemes) == {
        "reaap",
        "clas",
        "mediation_familiale",
        "espace_rencontre",
        "laep",
        "pif",
        "parrainage",
    }
    assert all(item["label"] for item in schemes.values())
    assert schemes["clas"]["calendar"] == "school"
    assert [rule["id"] for rule in schemes["reaap"]["rules"]][-1] == "R9"


def test_evaluate_returns_status_shares_flags_and_trace(client: TestClient) -> None:
    response = client.post(EVALUATE, json=body())
    assert response.status_code == 200
    result = response.json()
    assert (result["status"], result["failed"]) == ("eligible", [])
    assert result["reference_date"] == "2025-01-01"
    shares = result["shares"]
    assert (shares["caf"]["eligible"], shares["caf"]["amount"]) == (True, "3000.00")
    assert shares["departement"]["amount"] == "1000.00"
    assert (shares["etat"]["amount"], shares["etat"]["failed"]) == ("0.00", ["ETAT-2014"])
    assert (shares["msa"]["eligible"], shares["msa"]["amount"]) == (True, None)
    assert result["flags"] == {"financing_gap": "500.00"}
    subjects = {entry["subject"] for entry in result["trace"]}
    assert subjects == {"eligibility", "share", "plan"}
    caf = next(e for e in result["trace"] if e.get("funder") == "caf")
    assert caf["parameters"] == [
        {
            "name": "caf.reaap.max_share",
            "value": "0.80",
            "since": "2012-01-01",
            "source": "built-in",
        }
    ]


def test_evaluate_reports_every_failing_rule(client: TestClient) -> None:
    request = body()
    request["application"]["renewal"] = True
    request["application"]["facts"].update(modality="individual", therapeutic=True)
    result = client.post(EVALUATE, json=request).json()
    assert result["status"] == "ineligible"
    assert set(result["failed"]) == {"G4", "R3", "R4"}
    assert all(share["amount"] == "0.00" for share in result["shares"].values())


def test_evaluate_with_commune_funders_and_another_departement(client: TestClient) -> None:
    request = body(
        department="2A",
        funders={
            "ajaccio": {"kind": "commune", "insee": "2A004"},
            "bastia": {"kind": "commune", "insee": "2B033"},
        },
    )
    request["application"]["territory"] = ["2A004"]
    request["application"]["requests"] = {"ajaccio": "3000.00", "bastia": "2000.00"}
    result = client.post(EVALUATE, json=request).json()
    assert result["status"] == "eligible"
    assert result["shares"]["ajaccio"]["amount"] is None
    assert result["shares"]["bastia"]["failed"] == ["COM-TERRITORY"]
    assert result["flags"] == {"financing_gap": "2000.00"}


def test_money_in_the_result_is_text_with_two_decimals(client: TestClient) -> None:
    result = client.post(EVALUATE, json=body()).json()
    for share in result["shares"].values():
        assert re.fullmatch(r"\d+\.\d{2}", share["requested"])
        assert share["amount"] is None or re.fullmatch(r"\d+\.\d{2}", share["amount"])


def _set(request: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = request
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value


_DELETE = object()

BAD_INPUTS = {
    "missing fact": ("application.facts.open_to_all", _DELETE, "application.facts.open_to_all"),
    "mistyped fact": ("application.facts.children_max_age", "dix-huit", "children_max_age"),
    "boolean fact as a number": ("application.facts.children_max_age", True, "children_max_age"),
    "number as a boolean fact": ("application.facts.open_to_all", 1, "open_to_all"),
    "unknown fact": ("application.facts.colour", "blue", "application.facts.colour"),
    "unknown scheme": ("scheme", "reaaap", "scheme"),
    "unknown funder kind": ("funders", {"caf": {"kind": "region"}}, "funders.caf.kind"),
    "unknown funder code": ("application.requests", {"region": "5000.00"}, "requests.region"),
    "malformed date": ("date", "2025-13-40", "date"),
    "date in words": ("date", "20 janvier 2025", "date"),
    "malformed period date": ("application.period.start", "2025-02-30", "period.start"),
    "malformed amount": ("application.budget.total_cost", "six mille", "budget.total_cost"),
    "boolean as amount": ("application.budget.total_cost", False, "budget.total_cost"),
    "boolean as request": ("application.requests", {"caf": True}, "requests.caf"),
    "float with 3 decimals": ("application.requests", {"caf": 3000.005}, "requests.caf"),
    "text with 3 decimals": ("application.budget.other_resources", "1.005", "other_resources"),
    "negative amount": ("application.budget.other_resources", "-1.00", "other_resources"),
    "zero request": ("application.requests", {"caf": "0.00"}, "application.requests"),
    "unknown INSEE code": ("application.territory", ["38999"], "application.territory"),
    "INSEE code as a number": ("application.territory", [38185], "application.territory.0"),
    "unknown commune funder": (
        "funders",
        {"caf": {"kind": "commune", "insee": "38999"}},
        "funders.caf.insee",
    ),
    "commune without INSEE": ("funders", {"caf": {"kind": "commune"}}, "funders.caf.insee"),
    "unknown document kind": ("application.documents", ["passport"], "application.documents.0"),
    "unknown holder kind": ("application.holder.kind", "company", "holder.kind"),
    "ratio above one": ("application.facts.staff_cost_share", "1.5", "staff_cost_share"),
    "department pattern": ("department", "Isère", "department"),
    "application not an object": ("application", ["x"], "application"),
    "year without funding period": ("application.period.start", "9999-09-15", "period.start"),
    "unknown top-level key": ("override", True, "override"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_422_naming_the_field_never_500(client: TestClient, case: str) -> None:
    path, value, field = BAD_INPUTS[case]
    request = body()
    if case == "year without funding period":  # school year 9999-10000 cannot be represented
        request["scheme"] = "clas"
        request["application"]["facts"] = CLAS_FACTS
        # A period that ends before it starts is refused first (naming its end): end it later.
        request["application"]["period"]["end"] = "9999-12-31"
    _set(request, path, value)
    response = client.post(EVALUATE, json=request)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["code"] == "invalid_input"
    assert field in error["detail"]
    assert any(field in item["field"] for item in error["errors"]), error["errors"]
    assert all(set(item) == {"field", "code", "message"} for item in error["errors"])
    assert all(item["code"] in MESSAGES for item in error["errors"]), error["errors"]
    # The French sentence of its code, parameters filled in.
    assert all(
        item["message"][0].isupper() and "{" not in item["message"] for item in error["errors"]
    )


def test_a_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post(
        EVALUATE, content=b"scheme=reaap", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_a_parameter_gap_is_422_with_code_parameter_gap(client: TestClient) -> None:
    request = body(date="2010-11-15")
    request["application"]["period"] = {"start": "2011-02-01", "end": "2011-12-15"}
    response = client.post(EVALUATE, json=request)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "parameter_gap"
    assert "caf.reaap.max_share" in error["detail"] and "01/01/2012" in error["detail"]
    assert error["detail"].startswith("Le paramètre")


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
LEAVES = [
    "scheme",
    "date",
    "department",
    "application.holder.siret",
    "application.holder.kind",
    "application.documents",
    "application.territory",
    "application.period.start",
    "application.period.end",
    "application.budget.total_cost",
    "application.requests",
    "application.facts.children_max_age",
    "application.facts.fee_per_session",
    "application.facts.staff_cost_share",
    "application.facts",
    "application",
]


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=st.sampled_from(LEAVES), value=JSON)
def test_no_input_makes_the_simulator_fail_with_500(
    client: TestClient, path: str, value: Any
) -> None:
    request = body()
    _set(request, path, value)
    response = client.post(EVALUATE, json=request)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert {"detail", "code"} <= set(response.json())
