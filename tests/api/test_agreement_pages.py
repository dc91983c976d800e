"""Conventions on the file page: the holder returns the signed PDF, the funder countersigns."""

from __future__ import annotations

from typing import Any

from tests.api.test_agreements import notified
from tests.api.test_plugin_package import page

CSRF = "csrf-of-the-agreement-pages"


def post(api: Any, user: str, path: str, **kwargs: Any) -> Any:
    token = api.headers[user]["Authorization"].removeprefix("Bearer ")
    api.client.cookies.clear()
    data = {**kwargs.pop("data", {}), "csrf_token": CSRF}
    return api.client.post(
        path,
        data=data,
        headers={"Cookie": f"cofinance_csrf={CSRF}; cofinance_session={token}"},
        follow_redirects=False,
        **kwargs,
    )


def test_the_holder_signs_and_the_funder_countersigns_from_the_file_page(api: Any) -> None:
    application_id = notified(api, api.call(), "23500.00", "Café", departement="1000.00")
    [agreement] = api.ok(api.get("asso", f"/applications/{application_id}/funding"))["agreements"]
    file_page = f"/dossiers/{application_id}"

    text = page(api, "asso", file_page)
    assert "Conventions et notifications" in text
    assert "En attente de la signature du porteur" in text
    assert f'href="/conventions/{agreement["id"]}"' in text
    assert "Transmettre la convention signée" in text
    assert "awaiting_signature" not in text and ">convention<" not in text
    assert "Contresigner" not in page(api, "caf1", file_page)  # nothing to countersign yet

    # A picture instead of the signed PDF: the page says so in French, nothing changes.
    sign = f"/conventions/{agreement['id']}/signer"
    refused = post(api, "asso", sign, files={"file": ("scan.png", api.PNG, "image/png")})
    assert refused.status_code == 422
    assert "La convention signée se dépose en PDF." in refused.text
    signed = post(api, "asso", sign, files={"file": ("signée.pdf", api.pdf, "application/pdf")})
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == f"{file_page}?ok=convention_signed#conventions"

    text = page(api, "caf1", file_page)
    assert "Signée par le porteur" in text
    assert f'href="/conventions/{agreement["id"]}/signee"' in text
    assert "Contresigner la convention" in text
    assert "Contresigner la convention" not in page(api, "dep1", file_page)
    token = api.headers["caf1"]["Authorization"].removeprefix("Bearer ")
    copy = api.client.get(
        f"/conventions/{agreement['id']}/signee", headers={"Cookie": f"cofinance_session={token}"}
    )
    assert copy.content == api.pdf

    done = post(api, "caf1", f"/conventions/{agreement['id']}/contresigner")
    assert done.status_code == 303, done.text
    assert "En vigueur" in page(api, "asso", file_page)


def test_the_administrator_sets_a_funders_siret_on_its_page(api: Any) -> None:
    form = {"name": "Caf de l'Isère", "kind": "caf", "siret": "5340 8366"}
    refused = post(api, "admin", "/admin/financeurs/caf", data=form)
    assert refused.status_code == 422
    assert "Numéro SIRET invalide : il compte 14 chiffres" in refused.text
    saved = post(api, "admin", "/admin/financeurs/caf", data={**form, "siret": "534 083 665 00016"})
    assert saved.status_code == 303, saved.text
    assert api.ok(api.get("caf1", "/funders/caf"))["siret"] == "53408366500016"
    assert 'value="53408366500016"' in page(api, "admin", "/admin/financeurs/caf")
