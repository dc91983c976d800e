"""Dated parameter files: strict loading (errors name the file) and lookup by date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.rulebook import ParameterGap
from engine.rulebook.errors import ParameterFileError
from engine.rulebook.parameters import Parameter, load_parameter, load_tree

GOOD = """\
description: "Taux de la prestation."
reference: "Lettre circulaire"
unit: ratio
values:
  2004-09-01: "0.30"
  2015-09-01: "0.325"
"""


def write(tmp_path: Path, text: str, name: str = "rate.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(ParameterFileError) as error:
        load_parameter(path, "demo.rate")
    message = str(error.value)
    assert str(path) in message, "the error must name the file"
    return message


def test_a_well_formed_file_loads_its_dated_values_as_decimals(tmp_path: Path) -> None:
    parameter = load_parameter(write(tmp_path, GOOD), "demo.rate")
    assert parameter.name == "demo.rate"
    assert parameter.unit == "ratio"
    assert parameter.starts == (date(2004, 9, 1), date(2015, 9, 1))
    assert parameter.values == (Decimal("0.30"), Decimal("0.325"))
    assert all(isinstance(v, Decimal) for v in parameter.values)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    message = refused(write(tmp_path, GOOD + "comment: oops\n"))
    assert "comment" in message


@pytest.mark.parametrize("key", ["description", "reference", "unit", "values"])
def test_missing_key_is_refused(tmp_path: Path, key: str) -> None:
    lines = GOOD.splitlines(keepends=True)
    if key == "values":
        text = "".join(line for line in lines if not line.startswith(("values", "  ")))
    else:
        text = "".join(line for line in lines if not line.startswith(key))
    assert refused(write(tmp_path, text))


def test_empty_description_is_refused(tmp_path: Path) -> None:
    refused(write(tmp_path, GOOD.replace('"Taux de la prestation."', '""')))


def test_unsorted_dates_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace("2004-09-01", "2099-09-01")
    assert "increasing" in refused(write(tmp_path, text))


def test_a_date_written_twice_is_refused_rather_than_silently_dropped(tmp_path: Path) -> None:
    refused(write(tmp_path, GOOD.replace("2015-09-01", "2004-09-01")))


def test_empty_values_are_refused(tmp_path: Path) -> None:
    text = GOOD.split("values:")[0] + "values: {}\n"
    refused(write(tmp_path, text))


@pytest.mark.parametrize(
    "bad", ["2015-13-01", "2015-02-30", "yesterday", "20150901", "2015-9-1", "２０１５-09-01"]
)
def test_a_start_date_not_in_yyyy_mm_dd_form_is_refused(tmp_path: Path, bad: str) -> None:
    message = refused(write(tmp_path, GOOD.replace("2015-09-01", bad)))
    assert bad in message


@pytest.mark.parametrize(
    ("unit", "value"),
    [
        ("ratio", '"1.5"'),
        ("ratio", '"-0.1"'),
        ("ratio", '"trente"'),
        ("ratio", "[0.3]"),
        ("currency", '"-5.00"'),
        ("currency", '"5.001"'),
        ("currency", '"NaN"'),
        ("currency", '""'),
        ("count", '"2.5"'),
        ("age", '"6.5"'),
        ("boolean", "yes"),
        ("boolean", '"1"'),
    ],
)
def test_a_value_that_does_not_fit_its_unit_is_refused(
    tmp_path: Path, unit: str, value: str
) -> None:
    text = GOOD.replace("unit: ratio", f"unit: {unit}").replace('"0.325"', value)
    refused(write(tmp_path, text))


def test_an_unknown_unit_is_refused(tmp_path: Path) -> None:
    assert "unit" in refused(write(tmp_path, GOOD.replace("unit: ratio", "unit: euros")))


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    refused(write(tmp_path, "- 0.30\n- 0.325\n"))


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    refused(write(tmp_path, "values: {2015-09-01: [\n"))


def test_boolean_and_currency_values_keep_their_type(tmp_path: Path) -> None:
    switch = load_parameter(
        write(
            tmp_path,
            'description: "d"\nreference: "r"\nunit: boolean\n'
            "values:\n  1999-01-01: false\n  2014-01-01: true\n",
        ),
        "demo.switch",
    )
    assert switch.values == (False, True)
    fee = load_parameter(
        write(tmp_path, GOOD.replace("unit: ratio", "unit: currency").replace('"0.325"', "5")),
        "demo.fee",
    )
    assert fee.values[1] == Decimal("5")


def test_a_tree_names_parameters_by_folder_and_file(tmp_path: Path) -> None:
    (tmp_path / "caf").mkdir()
    write(tmp_path / "caf", GOOD, "clas.rate.yaml")
    assert list(load_tree(tmp_path)) == ["caf.clas.rate"]


# ---------------------------------------------------------------- lookup by date


@pytest.fixture
def rate(tmp_path: Path) -> Parameter:
    return load_parameter(write(tmp_path, GOOD), "caf.clas.rate")


def test_lookup_on_the_first_date_gives_the_first_value(rate: Parameter) -> None:
    found = rate.at(date(2004, 9, 1))
    assert (found.value, found.since) == (Decimal("0.30"), date(2004, 9, 1))


def test_lookup_the_day_before_a_change_gives_the_old_value(rate: Parameter) -> None:
    assert rate.at(date(2015, 8, 31)).value == Decimal("0.30")


def test_lookup_on_the_day_of_a_change_gives_the_new_value(rate: Parameter) -> None:
    found = rate.at(date(2015, 9, 1))
    assert (found.value, found.since) == (Decimal("0.325"), date(2015, 9, 1))


def test_the_last_value_stays_in_force_until_a_later_one_starts(rate: Parameter) -> None:
    found = rate.at(date(2099, 1, 1))
    assert (found.value, found.since) == (Decimal("0.325"), date(2015, 9, 1))


def test_lookup_before_first_date_raises_parameter_gap(rate: Parameter) -> None:
    with pytest.raises(ParameterGap) as error:
        rate.at(date(2004, 8, 31))
    gap = error.value
    assert (gap.name, gap.on, gap.first) == ("caf.clas.rate", date(2004, 8, 31), date(2004, 9, 1))
    assert "caf.clas.rate" in str(gap) and "2004-09-01" in str(gap)
