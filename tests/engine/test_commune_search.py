"""The commune picker's search and the form's reading of a commune typed by its name."""

from __future__ import annotations

import pytest

from engine.messages import render
from engine.rulebook import InvalidInput
from engine.rulebook.communes import communes
from engine.services.communes import normalise, resolve, search


def test_names_are_compared_without_accents_case_or_saint_abbreviations() -> None:
    assert normalise("Saint-Martin-d'Hères") == normalise("st martin d HERES")
    assert normalise("Sainte-Agnès") == normalise("Ste Agnes")


def test_the_search_puts_the_departement_first_then_the_most_populous() -> None:
    assert [c.label for c in search("grenoble", "38")][:1] == ["Grenoble (38185)"]
    found = search("saint martin d", "38", limit=5)
    assert found and all(c.departement == "38" for c in found[:2])


def test_a_commune_is_read_from_its_code_its_label_or_a_name_matching_one_commune() -> None:
    assert resolve("38185", "t", "38") == "38185"
    assert resolve("Grenoble (38185)", "t", "38") == "38185"
    assert resolve("St Martin d'Heres", "t", "38") == "38421"
    assert resolve("grenoble", "t", None) == "38185"


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        ("Nulle-Part-sur-Isère", "commune_unknown", "Commune inconnue : Nulle-Part-sur-Isère"),
        ("Saint-Martin", "commune_ambiguous", "Plusieurs communes s'appellent Saint-Martin"),
    ],
)
def test_an_unknown_or_ambiguous_name_is_refused_on_its_field_in_french(
    typed: str, code: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve(typed, "application.territory", "38")
    (error,) = refused.value.errors
    assert (error.field, error.code) == ("application.territory", code)
    assert words in render(error.code, error.params)


def test_current_communes_are_known_codes_beside_those_of_2018() -> None:
    known = communes()
    assert known["38185"] == "Grenoble"
    assert len(known) >= 34_969
