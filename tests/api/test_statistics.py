"""`GET /api/v1/statistics` after a real walk through the API: files filed, granted in session,
notified, an advance paid; an action over three communes (one of them by its 2018 code) split
to the cent; the refusals naming the parameter; an empty year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.clock import now, paris_date
from engine.territory.reference import epci_populations

OWN = Decimal("10000.00")
METROPOLE = "200040715"  # Grenoble-Alpes-Métropole: Grenoble, Échirolles…
BIEVRE = "200059392"  # Bièvre Isère Communauté: Ornacieux-Balbins (38284, once 38025)


def asking(api: Any, territory: list[str], **requests: str) -> dict[str, Any]:
    asked = sum((Decimal(a) for a in requests.values()), OWN)
    budget = {"total_cost": str(asked), "investment_costs": "0", "other_resources": str(OWN)}
    return api.body(requests=requests, budget=budget, territory=territory)  # type: ignore[no-any-return]


def walk(api: Any) -> dict[str, int]:
    """Grenoble's café (asking 5 000.00: granted 3 000.00 by the Caf and 1 000.00 by the
    Département, refused by the State and the MSA), a
    three-commune action granted 100.00 by the Caf, an ineligible file, a draft; the Caf's
    advance on the café paid."""
    call = api.call()
    cafe = api.eligible(call["id"], title="Café des parents")
    walk_three = api.eligible(
        call["id"],
        asking(api, ["38185", "38025", "38151"], caf="100.00"),
        title="Balades parents-enfants",
    )
    api.ineligible(call["id"], title="Séances individuelles")
    api.draft(call["id"], title="Brouillon")
    meeting = api.open_session(call["id"], [cafe["id"], walk_three["id"]])
    api.ok(api.decide(meeting["id"], cafe["id"], "caf", "granted", "3000.00"), 201)
    api.ok(api.decide(meeting["id"], cafe["id"], "departement", "granted", "1000.00"), 201)
    api.ok(api.decide(meeting["id"], cafe["id"], "msa", "refused"), 201)
    api.ok(api.decide(meeting["id"], cafe["id"], "etat", "refused"), 201)
    api.ok(api.decide(meeting["id"], walk_three["id"], "caf", "granted", "100.00"), 201)
    api.move(meeting["id"], "close")
    assert api.application(cafe["id"])["state"] == "notified"
    [advance] = [
        p
        for p in api.ok(api.get("caf1", "/payments", params={"kind": "advance"}))
        if p["application_id"] == cafe["id"]
    ]
    path = f"/payments/{advance['id']}"
    api.ok(api.post("caf1", path + "/order", json={"reference": "M-2027-0001"}))
    api.ok(api.post("caf1", path + "/pay", json={"paid_on": paris_date(now()).isoformat()}))
    return {"cafe": cafe["id"], "three": walk_three["id"], "year": 2027}


def test_the_figures_of_a_year_follow_the_files_filed_granted_notified_and_paid(api: Any) -> None:
    walk(api)
    figures = api.ok(api.get("chair", "/statistics", params={"year": 2027}))
    assert figures["year"] == 2027 and figures["scheme"] is None
    # filed: the café, the walk, the ineligible file (5 000.00 asked each but the walk); the
    # draft is not counted
    assert figures["totals"] == {
        "applications": 3,
        "granted_applications": 2,
        "requested": "10100.00",
        "granted": "4100.00",
        "paid": "2100.00",  # 70 % of the Caf's 3 000.00
    }
    [reaap] = figures["by_scheme"]
    assert reaap["scheme"] == "reaap" and reaap["label"].startswith("Reaap")
    assert {k: reaap[k] for k in figures["totals"]} == figures["totals"]

    funders = {f["code"]: f for f in figures["by_funder"]}
    assert funders["caf"] == {
        "code": "caf",
        "funder": "Caf de l'Isère",
        "requested": "6100.00",
        "granted": "3100.00",
        "paid": "2100.00",
        "envelope": "50000.00",
    }
    assert funders["departement"]["granted"] == "1000.00"
    assert funders["msa"]["granted"] == "0.00" and funders["msa"]["requested"] == "400.00"

    # 100.00 over three communes: 33.34 to the lowest code (Échirolles), 33.33 to each other;
    # Ornacieux (38025, merged in 2019) counts on Ornacieux-Balbins (38284)
    communes = {c["insee"]: c for c in figures["by_commune"]}
    assert set(communes) == {"38151", "38185", "38284"}
    assert communes["38284"]["name"] == "Ornacieux-Balbins"
    assert (communes["38151"]["granted"], communes["38151"]["actions"]) == ("33.34", 1)
    assert (communes["38284"]["granted"], communes["38284"]["actions"]) == ("33.33", 1)
    assert (communes["38185"]["granted"], communes["38185"]["actions"]) == ("4033.33", 2)
    grenoble = communes["38185"]
    assert grenoble["name"] == "Grenoble" and grenoble["population"] == 156140
    expected = (Decimal("4033.33") / 156140 * 1000).quantize(Decimal("0.01"))
    assert grenoble["granted_per_1000"] == str(expected)
    assert sum(Decimal(c["granted"]) for c in communes.values()) == Decimal("4100.00")
    assert sum(Decimal(c["requested"]) for c in communes.values()) == Decimal("10100.00")
    assert sum(Decimal(c["paid"]) for c in communes.values()) == Decimal("2100.00")

    epcis = {e["siren"]: e for e in figures["by_epci"]}
    assert set(epcis) == {METROPOLE, BIEVRE}
    assert epcis[METROPOLE]["name"] == "Grenoble-Alpes-Métropole"
    assert epcis[METROPOLE]["population"] == epci_populations()[METROPOLE]
    assert (epcis[METROPOLE]["granted"], epcis[METROPOLE]["actions"]) == ("4066.67", 2)
    assert (epcis[BIEVRE]["granted"], epcis[BIEVRE]["actions"]) == ("33.33", 1)
    # both notified the day they were filed
    assert figures["processing_days"] == {"median": 0, "p90": 0, "files": 2}
    assert figures["unlocated"]["applications"] == 0

    # the scheme filter, and every funder sees the shared diagnosis
    assert api.ok(api.get("msa1", "/statistics", params={"year": 2027, "scheme": "reaap"})) == (
        {**figures, "scheme": "reaap"}
    )
    assert api.ok(api.get("admin", "/statistics", params={"year": "2027"})) == figures


def test_a_year_or_a_scheme_without_files_gives_zeros_and_empty_lists(api: Any) -> None:
    walk(api)
    for params in ({"year": 2031}, {"year": 2027, "scheme": "clas"}):
        empty = api.ok(api.get("chair", "/statistics", params=params))
        assert empty["totals"] == {
            "applications": 0,
            "granted_applications": 0,
            "requested": "0.00",
            "granted": "0.00",
            "paid": "0.00",
        }
        for key in ("by_scheme", "by_funder", "by_commune", "by_epci"):
            assert empty[key] == [], key
        assert empty["processing_days"] == {"median": None, "p90": None, "files": 0}


def test_a_bad_year_or_scheme_is_refused_naming_the_parameter(api: Any) -> None:
    for year in ("deux-mille", "1999", "2101", ""):
        api.invalid("year", "chair", "GET", "/statistics", params={"year": year})
    api.invalid("year", "chair", "GET", "/statistics")
    api.invalid("scheme", "chair", "GET", "/statistics", params={"year": 2027, "scheme": "nope"})


def test_holders_may_not_read_the_statistics(api: Any) -> None:
    api.refused(403, "asso", "GET", "/statistics", params={"year": 2027})
    api.refused(401, None, "GET", "/statistics", params={"year": 2027})
