"""Shared page template, styles and the only way text enters a reportlab document.

reportlab's Paragraph parses its text as markup: an unescaped `<a href="javascript:…">` becomes a
live link and `<img src="/etc/hostname">` makes reportlab open a server file (DESIGN §9). So the
documents never build a Paragraph themselves: `para`, `labelled`, `bullets` and `table` either
hand reportlab the text as ready-made fragments (no markup parsed at all) or escape it, and only
this module writes markup (`<b>`, `<br/>`).

Speed (bench/PROFILE.md, "Letters"): a document is set in Helvetica unless its text needs the
embedded TrueType family (`document`); plain paragraphs skip reportlab's HTML parser by cloning
fragments parsed once per style; a paragraph keeps its line breaking for the width it was last
wrapped at, since tables and KeepTogether wrap the same paragraph two or three times.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, partial, wraps
from typing import Any, ParamSpec
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus import paragraph as _reportlab_paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from engine.documents import fonts
from engine.documents.fonts import FontFamily, font_family, pdf_text

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY_TEXT = colors.HexColor("#444444")
HEADER_BACKGROUND = colors.HexColor("#e8e8e8")

_P = ParamSpec("_P")

# reportlab's line breaking measures each word of a paragraph with `stringWidth`: the same French
# words in thousands of letters. The width is a pure function of the text, the font and the size
# (fonts are registered once per process and never replaced), so each is measured once: about a
# tenth of a letter's time (bench/PROFILE.md, "Letters").
if not hasattr(_reportlab_paragraph.stringWidth, "cache_info"):
    _reportlab_paragraph.stringWidth = lru_cache(maxsize=16384)(_reportlab_paragraph.stringWidth)


@dataclass(frozen=True)
class PageDecoration:
    """What every page carries around the text: the issuer's letterhead and a footer."""

    issuer: str
    subtitle: str
    footer: str


class _NeedsEmbeddedFont(Exception):
    """Text outside WinAnsi met while the document is set in Helvetica: start it again."""


def document(build: Callable[_P, bytes]) -> Callable[_P, bytes]:
    """Run a document builder in Helvetica; if any of its text does not fit WinAnsi, build it
    again in the embedded TrueType family (the whole document, so one document, one family).
    The check costs a `str.encode` per string; the second build only happens for such text."""

    @wraps(build)
    def build_in_family(*args: _P.args, **kwargs: _P.kwargs) -> bytes:
        token = fonts._needs_embedded.set(False)
        try:
            try:
                return build(*args, **kwargs)
            except _NeedsEmbeddedFont:
                fonts._needs_embedded.set(True)
                return build(*args, **kwargs)
        finally:
            fonts._needs_embedded.reset(token)

    return build_in_family


def _printable(text: str) -> str:
    """`text` as it will be printed, checked against the document's font family."""
    text = pdf_text(text)
    if font_family().source is None and not fonts.fits_standard(text):
        raise _NeedsEmbeddedFont
    return text


def _markup(text: str) -> str:
    """User text made inert: escaped first, then line breaks (ours) added."""
    return escape(_printable(text)).replace("\n", "<br/>")


@cache
def _styles(family: FontFamily) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=family.regular, fontSize=10, leading=14, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "address": ParagraphStyle("address", parent=body, leftIndent=95 * mm, spaceAfter=0),
        "title": ParagraphStyle(
            "title", parent=body, fontName=family.bold, fontSize=14, leading=18, spaceAfter=8
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=family.bold, fontSize=11, spaceBefore=8
        ),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=5 * mm, spaceAfter=2),
        "cell": cell,
        "cell_number": ParagraphStyle("cell_number", parent=cell, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", parent=cell, fontName=family.bold),
    }


def styles() -> dict[str, ParagraphStyle]:
    """The handful of paragraph styles the documents use, in the document's font family."""
    return _styles(font_family())


class _Paragraph(Paragraph):  # type: ignore[misc]  # reportlab ships no type hints
    """A Paragraph that breaks its lines once per width: the line breaking depends on the width
    only, and a table cell or a KeepTogether is wrapped again at the same width to be drawn."""

    _wrapped: tuple[float, tuple[float, float]] | None = None
    # The paragraph's own runs while `frags` holds measured words shared through `_LINES`.
    _source_frags: list[Any] | None = None
    _fresh = False  # split once: its lines are broken here, never taken from `_LINES`
    frags: list[Any]  # reportlab's runs of the paragraph
    # Set by reportlab's breakLines; restored from `_LINES` when the breaking is reused.
    _width_max: float
    _splitLongWordCount: int
    _hyphenations: int

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # `split` drops `blPara` when it pushes the paragraph to the next page: wrap again then.
        if self._wrapped is not None and self._wrapped[0] == availWidth and "blPara" in vars(self):
            return self._wrapped[1]
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, size)
        return size

    def breakLines(self, width: list[float]) -> Any:
        """reportlab's line breaking, kept across documents for a paragraph of one run, or of a
        bold label and a run: the closing formulas, the appeal rights and the headings are the
        same in thousands of letters. Only what the breaking reads is in the key. The lines are
        only read by drawing; a paragraph split across pages breaks its lines afresh (`split`)."""
        frags = self.frags
        if self._fresh or len(frags) > 2 or not all(hasattr(f, "text") for f in frags):
            return super().breakLines(width)
        runs = tuple((f.text, f.fontName, f.fontSize) for f in frags)
        key = (runs, self.style, self.bulletText, tuple(width))
        known = _LINES.get(key)
        if known is None:
            lines = super().breakLines(width)
            # With two runs reportlab replaces `frags` by the words it measured, which drawing
            # reads with the lines: kept with them.
            processed = self.frags if len(frags) > 1 else None
            known = (
                lines,
                processed,
                self._width_max,
                self._splitLongWordCount,
                self._hyphenations,
            )
            if len(_LINES) >= _LINES_KEPT:
                del _LINES[next(iter(_LINES))]  # the oldest: a bounded, first-in first-out cache
            _LINES[key] = known
        else:
            lines, processed, self._width_max, self._splitLongWordCount, self._hyphenations = known
            if processed is not None:
                self._source_frags, self.frags = frags, processed
        return lines

    def split(self, availWidth: float, availHeight: float) -> Any:
        # reportlab's split builds the parts from the measured words and may change them: not
        # from words shared with other documents.
        if self._source_frags is not None:
            self.frags, self._source_frags, self._fresh = self._source_frags, None, True
            self.__dict__.pop("blPara", None)
            self._wrapped = None
        return super().split(availWidth, availHeight)


# Line breaking of one- and two-run paragraphs across documents (`_Paragraph.breakLines`);
# filled and read inside `render`, under its lock.
_LINES: dict[tuple[Any, ...], tuple[Any, Any, float, int, int]] = {}
_LINES_KEPT = 4096


@cache
def _template(family: FontFamily, style: str, bold_label: bool) -> tuple[Any, ...]:
    """The fragments reportlab's parser makes of one plain run, or of a bold label and a plain
    run, in `style`: parsed once, then cloned with each paragraph's own text."""
    markup = "<b>x</b> y" if bold_label else "x"
    _, frags, _ = ParaParser().parse(markup, _styles(family)[style])
    if len(frags) != (2 if bold_label else 1):  # pragma: no cover - reportlab changed
        raise RuntimeError(f"unexpected reportlab fragments for {markup!r}")
    return tuple(frags)


def _paragraph(style: str, *runs: str, bullet: str | None = None) -> Paragraph:
    """A paragraph of one plain run, or of a bold label and a run, as ready-made fragments: the
    text is never parsed as markup. Text with line breaks goes through the escaped markup."""
    printable = [_printable(run) for run in runs]
    cleaned = [_cleaned(run) for run in printable]
    if any("\n" in run for run in printable) or not all(cleaned):
        if len(runs) == 2:
            markup = f"<b>{_markup(runs[0])}</b> {_markup(runs[1])}"
        else:
            markup = _markup(runs[0])
        return _Paragraph(markup, styles()[style], bulletText=bullet)
    if len(cleaned) == 2:
        cleaned[1] = " " + cleaned[1]
    template = _template(font_family(), style, len(runs) == 2)
    frags = [
        frag.clone(text=text, link=[], us_lines=[])
        for frag, text in zip(template, cleaned, strict=True)
    ]
    return _Paragraph(" ".join(cleaned), styles()[style], bulletText=bullet, frags=frags)


def _cleaned(text: str) -> str:
    """reportlab's `cleanBlockQuotedText` (the spacing its parser would give the text: runs of
    white space as one space, none at the ends), written out for the usual case. reportlab
    splits on every white space but the no-break one; without a no-break space in the text,
    that is `str.split`. A twentieth of the cost, called for every paragraph and cell."""
    if "\xa0" in text:
        return str(cleanBlockQuotedText(text))
    return " ".join(text.split())


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text: whatever `text` contains is printed literally."""
    return _paragraph(style, text)


def labelled(label: str, value: str, style: str = "body") -> Paragraph:
    """`label` in bold followed by `value`, both printed literally."""
    return _paragraph(style, label, value)


def bullets(items: Iterable[str]) -> list[Flowable]:
    """One bulleted paragraph per item."""
    return [_paragraph("bullet", item, bullet="•") for item in items]


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[float],
    numeric: frozenset[int] = frozenset(),
) -> Table:
    """A ruled table of literal text; `widths` are fractions of the text width, `numeric`
    the columns aligned right. The header row repeats on every page the table spans."""
    columns = [w * TEXT_WIDTH for w in widths]
    cells: list[list[Paragraph | str]] = [
        [_cell(text, "cell_head", width) for text, width in zip(header, columns, strict=False)]
    ]
    for row in rows:
        cells.append(
            [
                _cell(text, "cell_number" if i in numeric else "cell", width)
                for i, (text, width) in enumerate(zip(row, columns, strict=False))
            ]
        )
    result = Table(cells, colWidths=columns, repeatRows=1, spaceAfter=4)
    # The cell styles again, for the cells that are plain strings (`_cell`).
    style = styles()
    result.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONT", (0, 0), (-1, -1), style["cell"].fontName, style["cell"].fontSize),
            ("LEADING", (0, 0), (-1, -1), style["cell"].leading),
            ("FONT", (0, 0), (-1, 0), style["cell_head"].fontName, style["cell_head"].fontSize),
            *(("ALIGN", (column, 1), (column, -1), "RIGHT") for column in sorted(numeric)),
        ]
    )
    return result


def _cell(text: str, style: str, width: float) -> Paragraph | str:
    """A table cell: a plain string when the text fits on one line of the column (drawn by the
    table itself, at the place the paragraph would take, and never parsed as markup), else a
    paragraph that wraps. A string costs a tenth of a paragraph to lay out and draw."""
    printable = _printable(text)
    face = styles()[style]
    if (
        printable
        and "\n" not in printable
        and _cleaned(printable) == printable
        and stringWidth(printable, face.fontName, face.fontSize) <= width - 2 * _CELL_PADDING
    ):
        return printable
    return para(text, style)


# reportlab's default cell padding, left and right (the table style sets none).
_CELL_PADDING = 6


def signature(*lines: str, after: Flowable | Sequence[Flowable] = ()) -> Flowable:
    """The signature block, on the right, never split across pages and kept on the page of
    `after` (the text it signs: its last paragraph, or table), so that no page holds only the
    signature."""
    before = [after] if isinstance(after, Flowable) else list(after)
    return KeepTogether(
        [
            *before,
            Spacer(1, 8 * mm),
            *(para(line, "address") for line in lines),
            Spacer(1, 4 * mm),
        ]
    )


def render(story: list[Flowable], page: PageDecoration, title: str) -> bytes:
    """Lay out `story` on A4 pages decorated with `page`; returns the PDF bytes."""
    # The letterhead and footer are drawn with the canvas, not through `para`: check them here.
    for text in (page.issuer, page.subtitle, page.footer):
        _printable(text)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=38 * mm,
        bottomMargin=25 * mm,
        title=pdf_text(title),
        author=pdf_text(page.issuer),
        invariant=True,  # same input, same bytes: letters are stored and may be re-sent
    )
    decorate = partial(_decorate, page=page)
    # reportlab's TrueType fonts keep subsetting state on the shared font object: two threads
    # rendering at once can corrupt each other's subset (KeyError in makeSubset). One at a time
    # per process; parallel rendering uses processes.
    with _RENDER_LOCK:
        doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_NumberedCanvas)
    return out.getvalue()


_RENDER_LOCK = threading.Lock()


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
    """Holds every page back until the end so that each one can say "Page n / N"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self.setFont(font_family().regular, 8)
            self.setFillColor(GREY_TEXT)
            self.drawRightString(PAGE_WIDTH - MARGIN, 12 * mm, f"Page {number} / {total}")
            super().showPage()
        super().save()


def _decorate(canvas: Canvas, doc: SimpleDocTemplate, page: PageDecoration) -> None:
    """Letterhead (issuer, subtitle, rule) at the top and the footer, drawn before the text
    so that text extraction and screen readers meet the issuer first."""
    family = font_family()
    canvas.saveState()
    y = PAGE_HEIGHT - 16 * mm
    canvas.setFont(family.bold, 13)
    for line in _lines(pdf_text(page.issuer), family.bold, 13, TEXT_WIDTH)[:2]:
        canvas.drawString(MARGIN, y, line)
        y -= 16
    canvas.setFont(family.regular, 9)
    canvas.setFillColor(GREY_TEXT)
    subtitle = _lines(pdf_text(page.subtitle), family.regular, 9, TEXT_WIDTH)[:1]
    canvas.drawString(MARGIN, y, subtitle[0] if subtitle else "")
    canvas.setStrokeColor(colors.grey)
    canvas.line(MARGIN, y - 5, PAGE_WIDTH - MARGIN, y - 5)
    canvas.line(MARGIN, 17 * mm, PAGE_WIDTH - MARGIN, 17 * mm)
    canvas.setFont(family.regular, 8)
    footer = _lines(pdf_text(page.footer), family.regular, 8, TEXT_WIDTH - 30 * mm)[:1]
    canvas.drawString(MARGIN, 12 * mm, footer[0] if footer else "")
    canvas.restoreState()


@lru_cache(maxsize=4096)
def _lines(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """`text` broken into lines of `width`: the letterheads repeat (a few funders, one
    department), so a close of thousands of letters measures each of them once."""
    return tuple(simpleSplit(text, font, size, width))
