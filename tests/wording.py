"""What users must never read: internal codes and English words, in pages, letters and emails.

Used by the browser tests (tests/pages/conftest.py: the visible text of every page visited) and
by tests/engine/documents/test_demo_wording.py (the demo's PDFs and emails). The patterns are
case-sensitive and matched on visible text only (never on HTML attributes), built so that French
text does not trip them: `éligible` is not `eligible`, `Caf` is not `caf`.
"""

from __future__ import annotations

import re

from engine.messages import MESSAGES

# English words and programming values that leak from code into text.
ENGLISH = (
    "None",
    "True",
    "False",
    "null",
    "undefined",
    "NaN",
    "Traceback",
    "Error",
    "Exception",
    "Not Found",
    "Internal Server Error",
    "Method Not Allowed",
    "Unprocessable",
    "submitted",
    "pending",
    "draft",
    "eligible",
    "ineligible",
    "incomplete",
    "scheduled",
    "decided",
    "notified",
    "settled",
    "withdrawn",
    "granted",
    "refused",
    "deferred",
    "proposed",
    "requested",
    "planned",
    "convened",
    "cancelled",
    "approved",
    "applicant",
    "funder",
)
# Funder codes written as a bare word between spaces (`avec caf et`): a name is expected there.
# (`commune` is also a French word: a funder of that kind is only caught by its name.)
FUNDER_CODES = ("caf", "etat", "departement", "msa")

_WORDS = re.compile(r"(?<![\w@./-])(?:" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w@-])")
_CODES = re.compile(r"(?<= )(?:" + "|".join(FUNDER_CODES) + r")(?=[ ,.;:])")
# `facts.groups`, `officers_list`, `wrong_state.edit`: identifiers of the code (snake case or a
# dotted path in lower case), not followed by a file extension (`budget_2026.pdf` is a file name).
_IDENTIFIERS = re.compile(
    r"(?<![\w@./-])(?:facts\.[\w.]+|[a-z]+(?:_[a-z0-9]+)+(?:\.[a-z_]+)*)(?![\w@-]|\.\w)"
)
# Message codes with a dot or an underscore (`forbidden.csrf`): a sentence is expected there.
_MESSAGE_CODES = re.compile(
    r"(?<![\w@./-])(?:"
    + "|".join(re.escape(code) for code in sorted(MESSAGES, key=len, reverse=True) if "." in code)
    + r")(?![\w@-])"
)


_FILE_NAME = re.compile(r"\.(?:pdf|png|jpe?g|odt|ods|docx?|xlsx?|csv|txt|eml|zip)$", re.IGNORECASE)


def problems(text: str) -> list[str]:
    """The internal codes and English words found in `text` (empty when it reads as French)."""
    found: dict[int, str] = {}
    for pattern in (_WORDS, _CODES, _IDENTIFIERS, _MESSAGE_CODES):
        for match in pattern.finditer(text):
            if match.start() in found or _FILE_NAME.search(match.group(0)):
                continue
            start = max(0, match.start() - 40)
            found[match.start()] = f"{match.group(0)!r} in …{text[start : match.end() + 40]!r}…"
    return [found[position] for position in sorted(found)]
