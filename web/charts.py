"""Charts drawn on the server as small inline SVG: no script, no library, a few KB.

Pure functions (no database): labelled values in, an SVG string out. Every chart is an image with a
title and a description for screen readers; the page shows the same numbers in a table, so the
text drawn inside the SVG is only for sighted readers. Sizes are in viewBox units: the SVG scales
to its container's width, and at a 360px phone one unit is about one CSS pixel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markupsafe import Markup

WIDTH = 320
VALUE_ROOM = 64  # right of the longest bar: room for "22 571" or "1,234,567"
BAR_MAX = WIDTH - VALUE_ROOM
ROW = 30  # label line, then the bar with its value
COLUMNS_HEIGHT = 72  # the tallest column; its labels go below
LABEL_MAX = 44  # characters; the table beside the chart keeps the whole label
INK, MUTED, BRAND, LINE = "#1b1b1b", "#555", "#0b5d3b", "#d6dbd8"  # site.css's palette
IDENT = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


def _n(value: float) -> str:
    """A coordinate without trailing zeros: 128.0 -> "128", 2.50 -> "2.5"."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def scale(values: Sequence[int], full: float) -> list[float]:
    """Lengths proportional to ``values``, the largest ``full`` long, rounded to 0.1. Zero stays
    zero (also when every value is zero); any other value gets at least 1 so it still shows
    beside one huge value."""
    peak = max(values, default=0)
    if peak <= 0:
        return [0.0 for _ in values]
    return [max(1.0, round(v * full / peak, 1)) if v > 0 else 0.0 for v in values]


def _short(label: str) -> str:
    if len(label) <= LABEL_MAX:
        return label
    cut = label[: LABEL_MAX - 1]
    # At a word's end when there is one: "Nioro du…" reads better than "Nioro du Sa…".
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + "…"


def _open(ident: str, height: float, title: str, desc: str) -> Markup:
    if not IDENT.match(ident):
        raise ValueError(f"chart id {ident!r}: lowercase letters, digits and hyphens")
    return Markup(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{i}-t">{title}</title>'
        '<desc id="{i}-d">{desc}</desc>'
    ).format(w=WIDTH, h=_n(height), i=ident, title=title, desc=desc)


# Markup.format escapes every argument: labels and titles can hold any text.
BAR = Markup(
    '<text x="0" y="{label_y}" font-size="13" fill="{ink}">{label}</text>'
    '<rect x="0" y="{bar_y}" width="{width}" height="10" fill="{brand}"/>'
    '<text x="{value_x}" y="{value_y}" font-size="12" fill="{muted}">{value}</text>'
)
COLUMN = Markup('<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{brand}"/>')
AXIS = Markup('<rect x="0" y="{y}" width="{width}" height="1" fill="{line}"/>')
TICK = Markup(
    '<text x="{x}" y="{y}" font-size="12" fill="{muted}" text-anchor="{anchor}">{text}</text>'
)
CLOSE = Markup("</svg>")


def bars(
    rows: Sequence[tuple[str, int]],
    *,
    ident: str,
    title: str,
    desc: str,
    number: Callable[[int], str] = str,
) -> Markup:
    """Horizontal bars, one per (label, value), in the given order; each label sits above its
    bar so that long names need no side column on a narrow phone. ``number`` formats the value
    for the reader's locale."""
    widths = scale([v for _label, v in rows], BAR_MAX)
    parts = [_open(ident, len(rows) * ROW + 2, title, desc)]
    for i, ((label, value), width) in enumerate(zip(rows, widths, strict=True)):
        y = i * ROW
        parts.append(
            BAR.format(
                label_y=y + 12,
                bar_y=y + 16,
                value_y=y + 25,
                width=_n(width),
                value_x=_n(width + 4),
                label=_short(label),
                value=number(value),
                ink=INK,
                brand=BRAND,
                muted=MUTED,
            )
        )
    parts.append(CLOSE)
    return Markup("").join(parts)


def columns(
    values: Sequence[int],
    *,
    ident: str,
    title: str,
    desc: str,
    first: str = "",
    last: str = "",
) -> Markup:
    """Vertical columns in order (weeks, days) on a base line, ``first`` and ``last`` written
    under the two ends: a shape to read at a glance, the table gives the numbers."""
    slot = WIDTH / max(len(values), 1)
    base = COLUMNS_HEIGHT + 2
    parts = [_open(ident, base + 16, title, desc)]
    for i, height in enumerate(scale(values, COLUMNS_HEIGHT)):
        parts.append(
            COLUMN.format(
                x=_n(i * slot + slot / 8),
                y=_n(base - height),
                width=_n(slot * 3 / 4),
                height=_n(height),
                brand=BRAND,
            )
        )
    parts.append(AXIS.format(y=base, width=WIDTH, line=LINE))
    for text, x, anchor in ((first, 0, "start"), (last, WIDTH, "end")):
        if text:
            parts.append(TICK.format(x=x, y=base + 14, anchor=anchor, text=text, muted=MUTED))
    parts.append(CLOSE)
    return Markup("").join(parts)
