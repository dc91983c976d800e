"""The font family a PDF is set in: reportlab's standard Helvetica when the document's text fits
WinAnsi, else a TrueType family registered once and embedded (subset).

Helvetica is one of the PDF standard fonts: nothing is embedded, and measuring and writing text
run in reportlab's C accelerator. It covers WinAnsi, hence French (accents, œ, « », €, the
no-break space) but not U+202F, which `pdf_text` turns into U+00A0 anyway. Measured on one funder
letter (bench/PROFILE.md, "Letters"): Helvetica instead of a DejaVu Sans subset made it about 30 %
faster (no subsetting, no font file to compress, widths measured in C). Text outside WinAnsi (a
holder named Łukasz, a Romanian ș, Greek) still prints right: `pdf.document` sets the whole
document in the TrueType family then, DejaVu Sans when the system has it, else the Bitstream Vera
that ships inside the reportlab package.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
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
    """Registered reportlab font names, and the folder they were read from (None: a standard
    PDF font, nothing embedded)."""

    regular: str
    bold: str
    italic: str
    source: Path | None


STANDARD = FontFamily("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", source=None)

_lock = threading.Lock()
_embedded: FontFamily | None = None
# Whether the document being built needs the embedded family. Outside `pdf.document` (a
# flowable built on its own) it does: the embedded family prints any text.
_needs_embedded: ContextVar[bool] = ContextVar("needs_embedded", default=True)


def embedded_family() -> FontFamily:
    """Register the TrueType family on first use (idempotent, thread-safe) and return its names."""
    global _embedded
    with _lock:
        if _embedded is None:
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
            _embedded = FontFamily(*names, source=folder)
        return _embedded


def font_family() -> FontFamily:
    """The family of the document being built: Helvetica, or the embedded TrueType family."""
    return embedded_family() if _needs_embedded.get() else STANDARD


def fits_standard(text: str) -> bool:
    """Whether `text` (already through `pdf_text`) prints in Helvetica: WinAnsi is cp1252."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def pdf_text(text: str) -> str:
    """Adapt display text to the PDF: the one place where U+202F becomes U+00A0.

    Three reasons, measured with reportlab 5.1: Helvetica (WinAnsi) and Vera have no U+202F
    glyph (a black box), and reportlab's Paragraph counts U+202F as an ordinary breakable space
    (`_wsc` in platypus/paragraph.py), so `1 234,50 €` could wrap in the middle of the number
    even with DejaVu. U+00A0 exists in every family used and Paragraph keeps it unbreakable.
    """
    return text.replace(NARROW_NBSP, NBSP)
