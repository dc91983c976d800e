"""The holder follows its money on its file page: each payment with its amount, its state, when
it is due and when it was paid, in French."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from engine.clock import now, paris_date
from engine.formatting import format_date, format_money
from tests.api.test_agreements import funding, notified
from tests.api.test_plugin_package import page


def flat(text: str) -> str:
    """Spaces as one plain space (the page writes narrow no-break ones, sometimes as entities)."""
    for space in ("\u202f", "\xa0", "&nbsp;", "&#8239;"):
        text = text.replace(space, " ")
    return text


def test_the_holder_sees_its_advance_scheduled_then_paid_on_its_file_page(api: Any) -> None:
    application_id = notified(api, api.call(), "12000.00", "Café des parents")
    [advance] = [p for p in funding(api, application_id)["payments"] if p["kind"] == "advance"]
    file_page = f"/dossiers/{application_id}"

    text = page(api, "asso", file_page)
    assert "Versements" in text and "Acompte" in text
    assert flat(format_money(Decimal(advance["amount"]))) in flat(text)
    assert ">scheduled<" not in text and ">advance<" not in text

    path = f"/payments/{advance['id']}"
    api.ok(api.post("caf1", path + "/order", json={"reference": "M-2027-0815"}))
    paid_on = paris_date(now()) - timedelta(days=1)
    api.ok(api.post("caf1", path + "/pay", json={"paid_on": paid_on.isoformat()}))
    text = page(api, "asso", file_page)
    assert "Payé" in text and flat(format_date(paid_on)) in flat(text)
