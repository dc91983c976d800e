"""Text typed by people: one rule (engine/rulebook/text.py) for every string that comes in."""

from __future__ import annotations

import re
import types
import typing
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import AfterValidator, BaseModel, TypeAdapter, ValidationError

from engine.rulebook import InvalidInput, MultilineText, Text, default_registry
from engine.rulebook.application import ApplicationFacts
from engine.rulebook.text import require_text, shown, text_problem

ONE_LINE = TypeAdapter(Text)
MULTILINE = TypeAdapter(MultilineText)

# Characters no text may hold, and what the refusal says.
REFUSED_EVERYWHERE = [
    ("\ud800", "caractère invalide (U+D800)"),
    ("\udfff", "caractère invalide (U+DFFF)"),
    ("\udcff", "caractère invalide (U+DCFF)"),  # what a non-UTF-8 byte of argv becomes
    ("\x00", "caractère nul (U+0000)"),
    ("\x01", "caractère de contrôle (U+0001)"),
    ("\x07", "caractère de contrôle (U+0007)"),
    ("\x0b", "caractère de contrôle (U+000B)"),
    ("\x1b", "caractère de contrôle (U+001B)"),
    ("\x7f", "caractère de contrôle (U+007F)"),
    ("\x85", "caractère de contrôle (U+0085)"),
    ("\x9f", "caractère de contrôle (U+009F)"),
]
LINE_BREAKS = ["\n", "\r", "\t", "\r\n"]
# Text that is fine: accents, other scripts, symbols, markup (escaped on output, not refused).
WELCOME = [
    "Café des parents de l'Abbaye",
    "Maison des familles — Voiron",
    "Ville de Saint-Martin-d'Hères",
    "😀 non-BMP, 中文, العربية, עברית",
    "\u00a0\u202f€",
    '<script>alert(1)</script><a href="javascript:x">',
    "",
]


@pytest.mark.parametrize(("char", "said"), REFUSED_EVERYWHERE)
def test_surrogates_nul_and_control_characters_are_refused_in_any_text(
    char: str, said: str
) -> None:
    for adapter in (ONE_LINE, MULTILINE):
        with pytest.raises(ValidationError, match=re.escape(said)):
            adapter.validate_python(f"avant{char}après")


@pytest.mark.parametrize("breaks", LINE_BREAKS)
def test_line_breaks_and_tabs_are_kept_in_multiline_text_and_refused_on_one_line(
    breaks: str,
) -> None:
    value = f"Avis favorable.{breaks}Réserve : bilan."
    assert MULTILINE.validate_python(value) == value
    with pytest.raises(ValidationError, match="une seule ligne"):
        ONE_LINE.validate_python(value)


@pytest.mark.parametrize("value", WELCOME)
def test_ordinary_text_of_any_script_is_accepted_as_is(value: str) -> None:
    assert ONE_LINE.validate_python(value) == value
    assert MULTILINE.validate_python(value) == value
    assert text_problem(value) is None


def test_a_refused_field_is_named_in_the_error() -> None:
    class Body(BaseModel):
        name: Text
        comment: MultilineText | None = None
        codes: list[Text] = []

    with pytest.raises(ValidationError) as refused:
        Body.model_validate({"name": "x\x00", "comment": "\ud800", "codes": ["a", "b\nc"]})
    assert [e["loc"] for e in refused.value.errors()] == [("name",), ("comment",), ("codes", 1)]


def test_services_name_every_offending_field_and_let_absent_ones_pass() -> None:
    require_text({"title": "Séance", "place": None}, multiline={"reason": "a\nb"})
    with pytest.raises(InvalidInput) as refused:
        require_text({"title": "a\tb", "email": "\ud800@x.fr"}, multiline={"reason": "\x00"})
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("title", "text_one_line"),
        ("email", "text_surrogate"),
        ("reason", "text_nul"),
    ]
    assert refused.value.errors[1].message.startswith("Le texte contient un caractère invalide")


def test_text_that_utf8_cannot_encode_is_shown_as_escapes() -> None:
    assert shown("a\ud800b") == "a\\ud800b"
    assert shown("Café") == "Café"
    shown("\udcff").encode("utf-8")


# ---------------------------------------------------------------- every input model uses it

TEXT_VALIDATORS = {
    next(m.func for m in get_args(alias)[1:] if isinstance(m, AfterValidator))
    for alias in (Text, MultilineText)
}
# Raw objects read again by a stricter model (`parse_application`): their keys are checked there.
REPARSED = {
    ("ApplicationIn", "application"),
    ("ApplicationPatch", "application"),
    ("EvaluateIn", "application"),
    ("ApplicationFacts", "facts"),
}


def _bare_strings(annotation: Any, metadata: tuple[Any, ...], where: str) -> list[str]:
    """Where a `str` is accepted without the text rule."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        return _bare_strings(inner, (*metadata, *extra), where)
    if annotation is str:
        funcs = {getattr(m, "func", None) for m in metadata}
        return [] if funcs & TEXT_VALIDATORS else [where]
    if origin in (Union, types.UnionType):
        return [
            found
            for arg in get_args(annotation)
            if arg is not type(None)
            for found in _bare_strings(arg, metadata, where)
        ]
    if origin is Literal or annotation is Any:
        return []
    if origin is not None:  # list[...], dict[..., ...]: the items are checked on their own
        return [
            found
            for index, arg in enumerate(get_args(annotation))
            for found in _bare_strings(arg, (), f"{where}[{index}]")
        ]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_bare_strings(annotation)
    return []


def _model_bare_strings(model: type[BaseModel]) -> list[str]:
    found = []
    for name, info in model.model_fields.items():
        if (model.__name__, name) in REPARSED:
            continue
        found += _bare_strings(info.annotation, tuple(info.metadata), f"{model.__name__}.{name}")
    return found


def _input_models() -> list[type[BaseModel]]:
    """Every request body of the API (api/models), the application and each scheme's facts."""
    import importlib
    import pkgutil

    import api.models
    from api.models.common import Body

    bodies = {
        value
        for info in pkgutil.iter_modules(api.models.__path__)
        for value in vars(importlib.import_module(f"api.models.{info.name}")).values()
        if isinstance(value, type) and issubclass(value, Body) and value is not Body
    }
    facts = [module.facts for module in default_registry().schemes.values()]
    return [*sorted(bodies, key=lambda b: b.__name__), ApplicationFacts, *facts]


def test_every_string_of_every_input_model_follows_the_text_rule() -> None:
    models = _input_models()
    assert len(models) >= 15
    bare = [where for model in models for where in _model_bare_strings(model)]
    assert bare == [], "use engine.rulebook.Text or MultilineText"


def test_the_checker_itself_finds_a_bare_string() -> None:
    class Careless(BaseModel):
        name: str
        tags: list[typing.Optional[str]] = []  # noqa: UP045 (the old spelling, on purpose)
        fine: Text = ""

    assert _model_bare_strings(Careless) == ["Careless.name", "Careless.tags[0]"]
