"""The one French catalogue (engine/messages.py) against every error code the code raises.

The raise sites are found by walking the syntax trees of engine/ and api/: the code given to
an error class (`Conflict("wrong_state.edit", state=…)`), to `FieldError(field, code, …)`, to
`invalid(code)`, `Message(code)` and `render(code)`, the class codes (`code = "not_found"`), the
codes of the API's status map and of the JSON bodies written by hand (`{"code": "too_large"}`).
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install
from engine.errors import (
    Conflict,
    Forbidden,
    InsufficientStorage,
    NotFound,
    ServiceError,
    TooManyAttempts,
    Unauthenticated,
)
from engine.messages import MESSAGES, PYDANTIC_CODES, public_code, render
from engine.rulebook import FieldError, InvalidInput

ROOT = Path(__file__).resolve().parents[2]
ERROR_CLASSES = {
    "ServiceError": ServiceError,
    "NotFound": NotFound,
    "Forbidden": Forbidden,
    "Conflict": Conflict,
    "TooManyAttempts": TooManyAttempts,
    "Unauthenticated": Unauthenticated,
    "InsufficientStorage": InsufficientStorage,
}
# Calls whose first argument is a code: the error classes, and the helpers building messages.
FIRST_ARG_CODES = {*ERROR_CLASSES, "invalid", "Message", "render", "render_message", "_refuse"}
ENGLISH = re.compile(
    r"\b(the|is|are|not|must|cannot|only|expected|should|please|required|unknown|field|"
    r"amount|file|this|your|already|exists|between|characters|allowed|missing|too|retry)\b",
    re.IGNORECASE,
)
STATUS = {
    "not_found": 404,
    "forbidden": 403,
    "unauthenticated": 401,
    "too_many_requests": 429,
    "insufficient_storage": 507,
}


@dataclass(frozen=True)
class Site:
    kind: str  # the class or function called, or "class code" / "map"
    code: str
    params: frozenset[str]
    where: str


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _const(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def sites() -> Iterator[Site]:
    for folder in ("engine", "api"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "messages.py" and path.parent.name == "engine":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.Call):
                    name = _name(node.func)
                    keywords = frozenset(k.arg or "**" for k in node.keywords)
                    if name == "Message" and len(node.args) == 2:  # Message(code, {params})
                        given = node.args[1]
                        if isinstance(given, ast.Dict):
                            keywords |= {k for k in map(_const, given.keys) if k}
                    if name in FIRST_ARG_CODES and node.args:
                        code = _const(node.args[0])
                        if code is not None:
                            yield Site(name, code, keywords, where)
                    if name == "FieldError" and len(node.args) >= 2:
                        code = _const(node.args[1])
                        if code is not None:
                            yield Site(name, code, keywords, where)
                elif isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if (
                            isinstance(item, ast.Assign)
                            and [_name(t) for t in item.targets] == ["code"]
                            and _const(item.value)
                        ):
                            yield Site("class code", str(_const(item.value)), frozenset(), where)
                elif isinstance(node, ast.Dict):
                    for key, value in zip(node.keys, node.values, strict=True):
                        code = _const(value)
                        if code is None or key is None or not re.fullmatch(r"[a-z_]+", code):
                            continue
                        by_status = isinstance(key, ast.Constant) and isinstance(key.value, int)
                        if (by_status and path.name == "errors.py") or _const(key) == "code":
                            yield Site("map", code, frozenset(), where)


SITES = list(sites())
CODES = {s.code for s in SITES} | set(PYDANTIC_CODES.values())


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_walk_finds_the_raise_sites() -> None:
    # A guard on the guard: if the walk finds nothing, every other test here proves nothing.
    kinds = {s.kind for s in SITES}
    assert {"Conflict", "NotFound", "Forbidden", "FieldError", "invalid", "map"} <= kinds
    assert len(SITES) > 100


def test_every_code_raised_has_a_french_message() -> None:
    missing = sorted(
        f"{s.where}: {s.code}" for s in SITES if s.code not in MESSAGES and s.code != "error"
    )
    assert missing == []


def test_every_message_of_the_catalogue_is_used() -> None:
    assert sorted(set(MESSAGES) - CODES) == []


def test_every_raise_site_gives_the_parameters_its_message_needs() -> None:
    short = [
        f"{s.where}: {s.code} lacks {sorted(_fields(MESSAGES[s.code]) - s.params)}"
        for s in SITES
        if s.kind not in ("map", "class code", "render", "render_message")
        and s.code in MESSAGES
        and "**" not in s.params  # `**exc.params`: given whole, checked by rendering below
        and not _fields(MESSAGES[s.code]) <= s.params
    ]
    assert short == []


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_renders_with_its_parameters(code: str) -> None:
    params = dict.fromkeys(_fields(MESSAGES[code]), "X")
    text = render(code, params)
    assert text and "{" not in text and text[0].isupper(), text
    if params:
        with pytest.raises(KeyError):
            render(code, {})


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_no_message_is_in_english(code: str) -> None:
    assert ENGLISH.search(MESSAGES[code]) is None, MESSAGES[code]


def test_the_english_guard_catches_english() -> None:
    assert ENGLISH.search("the file is not a readable PDF")
    assert ENGLISH.search("Le fichier n'est pas un PDF lisible.") is None


def _raised(site: Site) -> Exception:
    params: dict[str, object] = dict.fromkeys(_fields(MESSAGES[site.code]), "X")
    if site.kind == "FieldError" or site.code in PYDANTIC_CODES.values():
        return InvalidInput([FieldError("champ", site.code, **params)])
    cls = ERROR_CLASSES[site.kind]
    if cls is TooManyAttempts:
        return TooManyAttempts(site.code, retry_after=60, **params)
    return cls(site.code, **params)


RAISED = sorted(
    {s for s in SITES if s.kind in ERROR_CLASSES or s.kind == "FieldError"},
    key=lambda s: (s.code, s.where),
)


def test_every_error_code_answers_french_through_the_api() -> None:
    app = FastAPI()
    install(app)
    current: list[Exception] = []

    @app.get("/api/v1/raise")
    def _raise() -> None:
        raise current[0]

    client = TestClient(app)
    seen = set()
    for site in RAISED:
        if (site.kind, site.code) in seen:
            continue
        seen.add((site.kind, site.code))
        current[:] = [_raised(site)]
        response = client.get("/api/v1/raise")
        body = response.json()
        params = dict.fromkeys(_fields(MESSAGES[site.code]), "X")
        if site.kind == "FieldError":
            assert response.status_code == 422, site
            assert body["code"] == "invalid_input"
            [error] = body["errors"]
            assert error == {
                "field": "champ",
                "code": site.code,
                "message": render(site.code, params),
            }
            assert body["detail"] == f"champ : {error['message']}"
        else:
            head = public_code(site.code)
            assert body["code"] == head, site
            assert body["detail"] == render(site.code, params), site
            assert response.status_code == STATUS.get(head, 409), site
        assert ENGLISH.search(body["detail"]) is None, body
    assert len(seen) > 60


def test_request_validation_answers_french_codes_per_field() -> None:
    app = FastAPI()
    install(app)

    @app.get("/api/v1/count")
    def _count(n: int) -> int:
        return n

    response = TestClient(app).get("/api/v1/count")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "n : Ce champ est obligatoire.",
        "code": "invalid_input",
        "errors": [{"field": "n", "code": "required", "message": "Ce champ est obligatoire."}],
    }
