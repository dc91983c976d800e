"""Text typed by people: one rule for every string that comes in (API, pages, CLI).

Refused everywhere:
- what UTF-8 cannot encode (lone surrogates, e.g. `"\\ud800"` in JSON, or argv bytes that were not
  UTF-8): neither database, nor a JSON answer, nor a PDF can hold them;
- NUL, which PostgreSQL refuses in text and which truncates strings in C libraries;
- the other control characters (Unicode category Cc: U+0001–U+001F, U+007F–U+009F): invisible,
  they make names that look alike but differ, and break the lines of emails, PDFs and logs.

Multi-line text (a comment, a reason, decision conditions) keeps tab, line feed and carriage
return, which a textarea sends; one-line text (names, titles, codes, emails, places, file names)
refuses them too, since it ends up in email headers, PDF lines and table cells.

`Text` and `MultilineText` apply the rule to pydantic input models (a 422 naming the field);
`require_text` applies it where a value reaches a service without a model (pages, CLI).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, cast

from pydantic import AfterValidator

from engine.messages import Message
from engine.rulebook.errors import FieldError, InvalidInput

# Every control character (category Cc) and every surrogate code point.
_ONE_LINE_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, but tab, line feed and carriage return are allowed.
_MULTILINE_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = "\t\n\r"


def text_problem(value: str, *, multiline: bool = False) -> Message | None:
    """Why `value` cannot be taken as text (a code and its parameters), or None."""
    pattern = _MULTILINE_REFUSED if multiline else _ONE_LINE_REFUSED
    found = pattern.search(value)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return Message("text_surrogate", {"char": code})
    if char == "\x00":
        return Message("text_nul")
    if char in _LINE_BREAKS:
        return Message("text_one_line", {"char": code})
    return Message("text_control", {"char": code})


def _one_line(value: str) -> str:
    # Most text is fine: one search, and text_problem only to say what is wrong.
    if _ONE_LINE_REFUSED.search(value) is not None:
        raise cast(Message, text_problem(value)).invalid()
    return value


def _multiline(value: str) -> str:
    if _MULTILINE_REFUSED.search(value) is not None:
        raise cast(Message, text_problem(value, multiline=True)).invalid()
    return value


Text = Annotated[str, AfterValidator(_one_line)]
"""One line of text: valid UTF-8, no NUL, no control character (not even a line break)."""
MultilineText = Annotated[str, AfterValidator(_multiline)]
"""Text over several lines: as `Text`, but tab, line feed and carriage return are allowed."""


def require_text(
    fields: Mapping[str, str | None], *, multiline: Mapping[str, str | None] | None = None
) -> None:
    """Refuse, naming each field, the values that break the rule (None means absent: fine).

    `fields` are one-line values, `multiline` multi-line ones; every offending field is listed.
    """
    errors: list[FieldError] = []
    for values, lines in ((fields, False), (multiline or {}, True)):
        for name, value in values.items():
            if value is None:
                continue
            problem = text_problem(value, multiline=lines)
            if problem is not None:
                errors.append(FieldError.of(name, problem))

    if errors:
        raise InvalidInput(errors)


def unencodable(value: str) -> bool:
    """True when UTF-8 cannot encode `value` (it holds lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def shown(value: str) -> str:
    """`value` safe to put in an answer: what UTF-8 cannot encode is written as `\\udXXX`."""
    if not unencodable(value):
        return value
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
