"""The decision letter announces a convention by the rule the agreements follow: the funder's
grants to the organisation for the year, cumulated over its applications, not the share alone."""

from __future__ import annotations

from typing import Any

from tests.api.test_agreements import funding, notified

ANNOUNCE = "Une convention sera signée"


def decision_text(api: Any, application_id: int) -> str:
    letters = api.ok(api.get("asso", f"/applications/{application_id}/letters"))
    decision = next(letter for letter in letters if letter["kind"] == "decision")
    text = api.pdf_text(api.get("asso", f"/letters/{decision['id']}").content)
    return " ".join(str(text).split())


def test_the_letter_announces_the_convention_the_cumulated_grants_call_for(api: Any) -> None:
    call = api.call()
    first = notified(api, call, "12000.00", "Café des parents")
    assert ANNOUNCE not in decision_text(api, first)
    assert "à la notification de la présente décision" in decision_text(api, first)

    # 12 000 € alone is under 23 000 €, but 24 000 € for the year with the first one.
    second = notified(api, call, "12000.00", "Atelier des familles")
    [agreement] = funding(api, second)["agreements"]
    assert agreement["kind"] == "convention"
    text = decision_text(api, second)
    assert ANNOUNCE in text
    assert "après la signature de la convention" in text


def test_a_grant_alone_above_the_threshold_is_announced_as_before(api: Any) -> None:
    application = notified(api, api.call(), "23500.00", "Café des parents")
    assert ANNOUNCE in decision_text(api, application)
