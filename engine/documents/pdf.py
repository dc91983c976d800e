"""Shared page template, styles and the only way text enters a reportlab document.

reportlab's Paragraph parses its text as markup: an unescaped `<a href="javascript:…">` becomes a
live link and `<img src="/etc/hostname">` makes reportlab open a server file (DESIGN §9). So the
documents never build a Paragraph themselves: `para`, `labelled`, `bullets` and `table` escape
every string they are given, and only this module writes markup (`<b>`, `<br/>`).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from engine.documents.fonts import font_family, pdf_text

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN


@dataclass(frozen=True)
class PageDecoration:
    """What every page carries around the text: the issuer's letterhead and a footer."""

    issuer: str
    subtitle: str
    footer: str


def _markup(text: str) -> str:
    """User text made inert: escaped first, then line breaks (ours) added."""
    return escape(pdf_text(text)).replace("\n", "<br/>")


@cache
def styles() -> dict[str, ParagraphStyle]:
    """The handful of paragraph styles the documents use, in the registered font."""
    family = font_family()
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


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text: whatever `text` contains is printed literally."""
    return Paragraph(_markup(text), styles()[style])


def labelled(label: str, value: str, style: str = "body") -> Paragraph:
    """`label` in bold followed by `value`, both printed literally."""
    return Paragraph(f"<b>{_markup(label)}</b> {_markup(value)}", styles()[style])


def bullets(items: Iterable[str]) -> list[Flowable]:
    """One bulleted paragraph per item."""
    return [Paragraph(_markup(item), styles()["bullet"], bulletText="•") for item in items]


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[float],
    numeric: frozenset[int] = frozenset(),
) -> Table:
    """A ruled table of literal text; `widths` are fractions of the text width, `numeric`
    the columns aligned right. The header row repeats on every page the table spans."""
    cells: list[list[Paragraph]] = [[para(text, "cell_head") for text in header]]
    for row in rows:
        cells.append(
            [para(t, "cell_number" if i in numeric else "cell") for i, t in enumerate(row)]
        )
    result = Table(cells, colWidths=[w * TEXT_WIDTH for w in widths], repeatRows=1, spaceAfter=4)
    result.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    return result


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
            self.setFillColor(colors.HexColor("#444444"))
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
    for line in simpleSplit(pdf_text(page.issuer), family.bold, 13, TEXT_WIDTH)[:2]:
        canvas.drawString(MARGIN, y, line)
        y -= 16
    canvas.setFont(family.regular, 9)
    canvas.setFillColor(colors.HexColor("#444444"))
    subtitle = simpleSplit(pdf_text(page.subtitle), family.regular, 9, TEXT_WIDTH)[:1]
    canvas.drawString(MARGIN, y, subtitle[0] if subtitle else "")
    canvas.setStrokeColor(colors.grey)
    canvas.line(MARGIN, y - 5, PAGE_WIDTH - MARGIN, y - 5)
    canvas.line(MARGIN, 17 * mm, PAGE_WIDTH - MARGIN, 17 * mm)
    canvas.setFont(family.regular, 8)
    footer = simpleSplit(pdf_text(page.footer), family.regular, 8, TEXT_WIDTH - 30 * mm)[:1]
    canvas.drawString(MARGIN, 12 * mm, footer[0] if footer else "")
    canvas.restoreState()
