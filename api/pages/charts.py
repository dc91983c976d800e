"""Server-rendered SVG charts: horizontal bars and envelope gauges, with a text alternative.

Every chart is an `<svg role="img">` whose title and description say what it shows; the numbers
are also printed in a table beside it, for those who would rather read.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from engine.formatting import format_money, format_percent

BLUE = "#000091"
BLUE_LIGHT = "#8585f6"
GREY = "#e5e5e5"
RED = "#ce0500"
TEXT = "#161616"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


def _ratio(part: Decimal, whole: Decimal) -> Decimal:
    return part / whole if whole > 0 else Decimal(0)


def bar_chart(
    title: str,
    rows: list[tuple[str, list[Decimal]]],
    series: list[Series],
    *,
    width: int = 720,
    label_width: int = 220,
    shown_as: Callable[[Decimal], str] = format_money,
) -> Markup:
    """Grouped horizontal bars, one group per row, one bar per series, amounts printed
    (`shown_as` writes each value: money unless told)."""
    uid = f"chart-{next(_ids)}"
    bar, gap, group_gap = 16, 4, 14
    top = 28
    group_height = len(series) * (bar + gap) + group_gap
    height = top + max(1, len(rows)) * group_height + 8
    plot = width - label_width - 110
    biggest = max((v for _, values in rows for v in values), default=Decimal(0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cf-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{uid}-t {uid}-d">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">'
        + escape(
            "; ".join(
                f"{label} : "
                + ", ".join(f"{s.name} {shown_as(v)}" for s, v in zip(series, values, strict=True))
                for label, values in rows
            )
            or "Aucune donnée"
        )
        + "</desc>",
    ]
    x = label_width
    for index, s in enumerate(series):
        lx = x + index * 190
        parts.append(
            f'<rect x="{lx}" y="4" width="14" height="14" fill="{s.colour}"/>'
            f'<text x="{lx + 20}" y="16" font-size="13" fill="{TEXT}">{escape(s.name)}</text>'
        )
    for row_index, (label, values) in enumerate(rows):
        y0 = top + row_index * group_height
        mid = y0 + (len(series) * (bar + gap)) / 2 + 4
        shown = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{mid:.1f}" font-size="13" text-anchor="end" '
            f'fill="{TEXT}">{escape(shown)}</text>'
        )
        for s_index, (s, value) in enumerate(zip(series, values, strict=True)):
            y = y0 + s_index * (bar + gap)
            length = float(_ratio(value, biggest)) * plot
            parts.append(
                f'<rect x="{x}" y="{y}" width="{length:.1f}" height="{bar}" fill="{s.colour}"/>'
                f'<text x="{x + length + 6:.1f}" y="{y + bar - 3}" font-size="12" '
                f'fill="{TEXT}">{escape(shown_as(value))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def gauge(label: str, envelope: Decimal, granted: Decimal, proposed: Decimal) -> Markup:
    """One funder's envelope: granted (dark), proposed (light), the rest (grey), excess in red."""
    uid = f"gauge-{next(_ids)}"
    width, height, bar_y, bar_h = 480, 46, 4, 22
    used = granted + proposed
    scale = max(envelope, used, Decimal("0.01"))
    g_w = float(granted / scale) * width
    p_w = float(proposed / scale) * width
    env_x = float(envelope / scale) * width
    rate = format_percent(_ratio(used, envelope)) if envelope > 0 else "—"
    summary = (
        f"{label} : {format_money(granted)} accordés et {format_money(proposed)} proposés "
        f"sur une enveloppe de {format_money(envelope)} ({rate})"
    )
    if used > envelope:
        summary += f", dépassement de {format_money(used - envelope)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cf-gauge" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{uid}-t">',
        f'<title id="{uid}-t">{escape(summary)}</title>',
        f'<rect x="0" y="{bar_y}" width="{width}" height="{bar_h}" fill="{GREY}"/>',
        f'<rect x="0" y="{bar_y}" width="{g_w:.1f}" height="{bar_h}" fill="{BLUE}"/>',
        f'<rect x="{g_w:.1f}" y="{bar_y}" width="{p_w:.1f}" height="{bar_h}" fill="{BLUE_LIGHT}"/>',
    ]
    if used > envelope:
        parts.append(
            f'<rect x="{env_x:.1f}" y="{bar_y}" width="{width - env_x:.1f}" height="{bar_h}" '
            f'fill="{RED}" fill-opacity="0.35"/>'
            f'<line x1="{env_x:.1f}" x2="{env_x:.1f}" y1="0" y2="{bar_y + bar_h + 4}" '
            f'stroke="{RED}" stroke-width="3"/>'
        )
    parts.append(
        f'<text x="0" y="{height - 2}" font-size="13" fill="{TEXT}">'
        f"{escape(rate)} de l'enveloppe engagés</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))


AMOUNT_SERIES = [Series("Demandé", BLUE_LIGHT), Series("Accordé", BLUE)]
ENVELOPE_SERIES = [
    Series("Enveloppe", "#7b7b7b"),
    Series("Accordé", BLUE),
    Series("Proposé", BLUE_LIGHT),
]
