"""A département installs its own funder package: nothing in the engine or the pages changes.

The package is written into a temporary folder as a real distribution (its `*.dist-info` with
its own `entry_points.txt`, its module, its parameter file, its rule), put on `sys.path`, and
found through the entry point group `cofinance.funders` like any installed package. The whole
life of a file then runs through the HTTP API, and the letter names the new funder and the
French name of its kind.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from engine.rulebook import default_registry
from engine.rulebook.registry import registry_for
from engine.services.accounts import create_user
from tests.conftest import PASSWORD

PACKAGE = "isere_ccas"
LABEL = "Centre communal d'action sociale"

MODULE = '''
"""The CCAS of a commune pays a share of the cost of a Reaap action."""

from pathlib import Path

from engine.rulebook import FunderModule, FunderRule, ShareContext, ShareOutcome, round_cents
from engine.rulebook.money import euros, percent


def ccas_reaap(ctx: ShareContext) -> ShareOutcome:
    rate = ctx.param("ccas.reaap.rate")
    computed = round_cents(rate * ctx.money("budget.total_cost"))
    amount = min(ctx.requested, computed)
    return ShareOutcome(
        True,
        amount,
        f"{percent(rate)} du coût total ({euros(computed)}) : proposé {euros(amount)}.",
        "min(demande, round(rate × total_cost))",
    )


module = FunderModule(
    code="ccas",
    label="Centre communal d'action sociale",
    rules=[
        FunderRule(
            "CCAS-REAAP",
            "Part du CCAS proportionnelle au coût",
            "Délibération du conseil d'administration du CCAS",
            ccas_reaap,
            frozenset({"reaap"}),
        )
    ],
    parameters=("ccas.reaap.rate",),
    parameter_root=Path(__file__).parent / "parameters",
)
'''

PARAMETER = """\
description: "Part du coût total d'une action Reaap que le CCAS propose de financer."
reference: "Délibération du conseil d'administration du CCAS du 12 mars 2024"
unit: ratio
values:
  2024-01-01: "0.10"
"""


def write_distribution(site: Path) -> None:
    """`isere_ccas` 1.0 as pip would have installed it: the package and its dist-info."""
    package = site / PACKAGE
    (package / "parameters" / "ccas").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    (package / "parameters" / "ccas" / "reaap.rate.yaml").write_text(PARAMETER, encoding="utf-8")
    info = site / f"{PACKAGE}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: isere-ccas\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[cofinance.funders]\nccas = {PACKAGE}:module\n", encoding="utf-8"
    )
    (info / "top_level.txt").write_text(f"{PACKAGE}\n", encoding="utf-8")


@pytest.fixture
def ccas_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The distribution on sys.path and the registry found again; both undone afterwards."""
    site = tmp_path / "site-packages"
    site.mkdir()
    write_distribution(site)
    monkeypatch.syspath_prepend(str(site))
    registry_for.cache_clear()
    yield
    registry_for.cache_clear()
    sys.modules.pop(PACKAGE, None)


def page(api: Any, user: str, path: str) -> str:
    """A page as `user` sees it (the page session is the bearer token)."""
    token = api.headers[user]["Authorization"].removeprefix("Bearer ")
    response = api.client.get(path, headers={"Cookie": f"cofinance_session={token}"})
    assert response.status_code == 200, response.text
    return str(response.text).replace("&#39;", "'")


def test_the_package_is_found_through_its_entry_point_with_its_parameter(
    ccas_package: None, tmp_path: Path
) -> None:
    (point,) = [e for e in entry_points(group="cofinance.funders") if e.name == "ccas"]
    assert point.dist is not None and point.dist.name == "isere-ccas"
    assert Path(str(point.dist.locate_file(PACKAGE))).is_relative_to(tmp_path)
    registry = default_registry()
    assert registry.funders["ccas"].label == LABEL
    assert registry.parameters["ccas.reaap.rate"].values == (Decimal("0.10"),)


def test_a_funder_of_an_installed_kind_goes_from_the_call_to_the_letter(
    ccas_package: None, api: Any
) -> None:
    # The administrator's form offers the installed kind under its French label.
    form = page(api, "admin", "/admin/financeurs")
    assert f'<option value="ccas">{LABEL}</option>' in form.replace("\n", "")

    funder = api.ok(
        api.post(
            "admin",
            "/funders",
            json={"code": "ccas-grenoble", "name": "CCAS de Grenoble", "kind": "ccas"},
        ),
        201,
    )
    assert funder["kind"] == "ccas"
    create_user(
        api.db,
        "ccas1",
        PASSWORD,
        "funder",
        name="Agent du CCAS",
        email="ccas1@example.org",
        funder_code="ccas-grenoble",
    )
    api.headers["ccas1"] = api.client.post(
        "/api/v1/auth/token", data={"username": "ccas1", "password": PASSWORD}
    ).json()
    api.headers["ccas1"] = {"Authorization": f"Bearer {api.headers['ccas1']['access_token']}"}

    call = api.call({"caf": "50000.00", "ccas-grenoble": "5000.00"})
    body = api.body(
        budget={"total_cost": "6000.00", "investment_costs": "0", "other_resources": "2000.00"},
        requests={"caf": "3000.00", "ccas-grenoble": "1000.00"},
    )
    application = api.eligible(call["id"], body)

    # Its rule proposed 10 % of the cost, read from its own parameter file.
    share = api.share(application, "ccas-grenoble")
    assert (share["state"], share["proposed"]) == ("proposed", "600.00")
    entry = next(t for t in application["trace"] if t.get("funder") == "ccas-grenoble")
    assert entry["rule"] == "CCAS-REAAP"
    assert entry["parameters"] == [
        {"name": "ccas.reaap.rate", "value": "0.10", "since": "2024-01-01", "source": "built-in"}
    ]

    meeting = api.open_session(call["id"], [application["id"]])
    api.ok(api.decide(meeting["id"], application["id"], "caf", "granted", "3000.00"), 201)
    api.ok(
        api.decide(
            meeting["id"], application["id"], "ccas-grenoble", "granted", "600.00", user="ccas1"
        ),
        201,
    )
    assert api.move(meeting["id"], "close")["state"] == "closed"

    letters = api.ok(api.get("asso", f"/applications/{application['id']}/letters"))
    texts = {
        letter["kind"]: api.pdf_text(api.get("asso", f"/letters/{letter['id']}").content)
        for letter in letters
        if letter["kind"] == "decision"
    }
    funder_letters = api.ok(api.get("ccas1", f"/applications/{application['id']}/letters"))
    (ccas_letter,) = [
        letter
        for letter in funder_letters
        if letter["kind"] == "funder" and letter["funder_id"] == funder["id"]
    ]
    texts["funder"] = api.pdf_text(api.get("ccas1", f"/letters/{ccas_letter['id']}").content)
    for kind, text in texts.items():
        assert "CCAS de Grenoble" in text, kind
        assert LABEL in text, kind
        assert "600,00 €" in text, kind
    assert f"a statué sur sa part : CCAS de Grenoble ({LABEL})" in texts["funder"]

    # The file page shows the trace of the share, with its rule and its parameter.
    file_page = page(api, "ccas1", f"/dossiers/{application['id']}")
    assert "CCAS-REAAP" in file_page and "ccas.reaap.rate" in file_page
