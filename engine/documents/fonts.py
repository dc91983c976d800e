"""The TrueType font family every PDF uses, registered once with reportlab.

reportlab's standard Type 1 fonts only cover WinAnsi (no U+202F, nothing embedded); a TrueType
font is embedded (subset) instead: DejaVu Sans when the system has it, else the Bitstream Vera
that ships inside the reportlab package.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from engine.formatting import NARROW_NBSP, NBSP

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
VERA_DIR = Path(reportlab.__file__).parent / "fonts"
_CANDIDATES = (
    (DEJAVU_DIR, ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")),
    (VERA_DIR, ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf")),
)
FAMILY = "CofinanceSans"


@dataclass(frozen=True)
class FontFamily:
    """Registered reportlab font names, and the folder they were read from."""

    regular: str
    bold: str
    italic: str
    source: Path


_lock = threading.Lock()
_family: FontFamily | None = None


def font_family() -> FontFamily:
    """Register the family on first use (idempotent, thread-safe) and return its names."""
    global _family
    with _lock:
        if _family is None:
            found = next(
                (
                    (folder, files)
                    for folder, files in _CANDIDATES
                    if all((folder / name).is_file() for name in files)
                ),
                None,
            )
            if found is None:
                raise RuntimeError("no TrueType font found (DejaVu Sans or reportlab's Vera)")
            folder, files = found
            names = (FAMILY, f"{FAMILY}-Bold", f"{FAMILY}-Italic")
            for name, file in zip(names, files, strict=True):
                pdfmetrics.registerFont(TTFont(name, str(folder / file)))
            # The mapping lets <b> and <i> inside a Paragraph pick the right face.
            addMapping(FAMILY, 0, 0, names[0])
            addMapping(FAMILY, 1, 0, names[1])
            addMapping(FAMILY, 0, 1, names[2])
            addMapping(FAMILY, 1, 1, names[1])
            _family = FontFamily(*names, source=folder)
        return _family


def pdf_text(text: str) -> str:
    """Adapt display text to the PDF: the one place where U+202F becomes U+00A0.

    Two reasons, both measured with reportlab 5.1: Vera has no U+202F glyph (a black box), and
    reportlab's Paragraph counts U+202F as an ordinary breakable space (`_wsc` in
    platypus/paragraph.py), so `1 234,50 €` could wrap in the middle of the number even with
    DejaVu. U+00A0 exists in both fonts and Paragraph keeps it unbreakable.
    """
    return text.replace(NARROW_NBSP, NBSP)
