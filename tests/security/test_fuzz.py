"""Fuzzing the JSON API from its OpenAPI document with schemathesis, as nobody and as each role.

Every operation, valid and invalid inputs: no 5xx, every status declared, every body of the
declared type and shape. The budget is small in `make test` (COFINANCE_FUZZ_EXAMPLES examples
per operation, role and mode, 4 by default); `make soak` runs it with 20, and SECURITY.md gives
the longer run for maintainers. Generated strings are spoiled now and then with a lone
surrogate or a NUL (schemathesis leaves both out: its alphabet is what UTF-8 encodes, and JSON
carries `\\ud800` escapes all the same), which must be a 422, never a 500. Money fields are
checked by hand as well: no boolean, no float with more than two decimals, no text `Decimal()`
would read but money must not (`1_000`, ` 12 `, `١٢`, `1e3`, `-0`), anywhere money is read.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import World

EXAMPLES = int(os.environ.get("COFINANCE_FUZZ_EXAMPLES", "4"))
ROLES = (None, "asso", "caf1", "chair", "admin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Signing out would end the session the other requests of that role rely on.
SIGNED_IN_ONLY_ONCE = {"/api/v1/auth/logout"}


def test_fuzzing_the_api_as_every_role_finds_no_server_error(world: World) -> None:
    api = world.api
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    tried = 0
    for operation in operations:
        roles = (None,) if operation.path in SIGNED_IN_ONLY_ONCE else ROLES
        for role in roles:
            headers = dict(api.headers[role]) if role else {}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run = _runner(operation, headers, mode)
                try:
                    run()
                except Unsatisfiable:
                    assert mode is GenerationMode.NEGATIVE  # nothing to get wrong: no input
                except Exception as exc:
                    raise AssertionError(
                        f"{operation.label} as {role or 'nobody'} ({mode})"
                    ) from exc
                tried += 1
    assert tried >= len(operations) * len(ROLES)


def _runner(operation: Any, headers: dict[str, str], mode: GenerationMode) -> Any:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), spoil=st.data())
    def run(case: Any, spoil: st.DataObject) -> None:
        _spoil_text(case, spoil)
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    return run


# Characters no text field may hold (engine/rulebook/text.py): lone surrogates only in JSON
# bodies (`\\ud800` escapes; forms, queries and paths are UTF-8 on the wire), NUL anywhere.
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
NUL = st.just("\x00")


def _spoil_text(case: Any, data: st.DataObject) -> None:
    """Now and then, slip a lone surrogate or a NUL into the strings of a generated request."""
    if not data.draw(st.booleans(), label="spoil the strings of this request"):
        return

    def spoiled(value: Any, bad: st.SearchStrategy[str]) -> Any:
        if isinstance(value, str):
            at = data.draw(st.integers(0, len(value)))
            return value[:at] + data.draw(bad) + value[at:]
        if isinstance(value, dict):
            return {key: spoiled(item, bad) for key, item in value.items()}
        if isinstance(value, list):
            return [spoiled(item, bad) for item in value]
        return value

    # Set past `Case.__setattr__`: it re-validates the case against the schema, and the
    # validator (Rust) cannot take lone surrogates either. The spoiled case is sent as is.
    if isinstance(case.body, (dict, list)):
        in_json = case.media_type in (None, "application/json")
        bad = st.one_of(SURROGATES, NUL) if in_json else NUL
        object.__setattr__(case, "body", spoiled(case.body, bad))
    for name in ("query", "path_parameters"):
        if getattr(case, name):
            object.__setattr__(case, name, spoiled(getattr(case, name), NUL))


# ---------------------------------------------------------------- money fields


BAD_MONEY = [True, False, 12.345, "12.345", 1e-3, "1e400", "NaN", "-1.00", [], {}]
# Text `Decimal()` reads as a number and money must not: grouping, spaces, other scripts'
# digits, exponents, signs, negative zero (never stored as -0.00).
BAD_MONEY += ["1_000", " 12 ", "\u0661\u0662", "1e3", "+12", "-0", "-0.00", -0.0]


def test_money_fields_refuse_booleans_floats_with_more_decimals_and_other_junk(
    world: World,
) -> None:
    for amount in BAD_MONEY:
        _money_refused_everywhere(world, amount)
    # Two decimals, as a string, are money.
    api = world.api
    api.ok(
        api.post(
            "caf1",
            f"/applications/{world['eligible']}/shares/caf/propose",
            json={"amount": "12.30"},
        )
    )


def _money_refused_everywhere(world: World, amount: Any) -> None:
    api = world.api
    ids = world.ids
    body = api.body()
    cases: list[tuple[str, str, str, dict[str, Any], str]] = [
        (
            "caf1",
            "POST",
            f"/applications/{ids['eligible']}/shares/caf/propose",
            {"amount": amount},
            "amount",
        ),
        (
            "caf1",
            "POST",
            f"/sessions/{ids['open_session']}/decisions",
            {
                "application_id": ids["scheduled"],
                "funder": "caf",
                "outcome": "granted",
                "amount": amount,
            },
            "amount",
        ),
        (
            "chair",
            "POST",
            "/calls",
            {**api.call_body(), "funders": [{"funder": "caf", "envelope": amount}]},
            "funders.0.envelope",
        ),
        (
            "asso",
            "POST",
            "/applications",
            {
                "call_id": ids["call"],
                "title": "x",
                "application": {**body, "requests": {**body["requests"], "caf": amount}},
            },
            "application.requests.caf",
        ),
        (
            "asso",
            "PATCH",
            f"/applications/{ids['draft']}",
            {"application": {**body, "budget": {**body["budget"], "total_cost": amount}}},
            "application.budget.total_cost",
        ),
    ]
    for user, method, path, json, field in cases:
        api.invalid(field, user, method, path, json=json, watch=[ids["eligible"], ids["draft"]])
