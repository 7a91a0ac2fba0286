"""Charts for the after-action review as small SVG drawn here: no script, no library
fetched from outside, the same markup in the desk, the HTML file and the PDF.

Each chart is an ``<svg role="img">`` with a title and a description, sized by its
viewBox so it shrinks to a phone's width. Colour is never the only signal: every series
also has its own fill pattern, named in the legend, and each bar is labelled with its
number. The review puts a table with the same figures beside every chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 520
# Colours with at least 3:1 contrast against white, each with its own pattern.
_SERIES = (
    ("#0b4f8a", "solid"),
    ("#a40e26", "hatch"),
    ("#7d4e00", "dots"),
    ("#586069", "cross"),
    ("#116329", "vertical"),
)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


def _patterns(prefix: str) -> str:
    out = []
    for i, (colour, kind) in enumerate(_SERIES):
        pid = f"{prefix}-p{i}"
        marks = {
            "solid": "",
            "hatch": '<path d="M0,8 L8,0" stroke="#fff" stroke-width="2"/>',
            "dots": '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',
            "cross": '<path d="M0,0 L8,8 M8,0 L0,8" stroke="#fff" stroke-width="1.4"/>',
            "vertical": '<path d="M4,0 L4,8" stroke="#fff" stroke-width="2"/>',
        }[kind]
        out.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{marks}</pattern>'
        )
    return "<defs>" + "".join(out) + "</defs>"


def _open(cid: str, title: str, desc: str, height: int) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{cid}-t {cid}-d" font-family="DejaVu Sans, sans-serif" '
        f'font-size="13"><title id="{cid}-t">{escape(title)}</title>'
        f'<desc id="{cid}-d">{escape(desc)}</desc>'
    )


def bars(cid: str, title: str, rows: Sequence[tuple[str, float, str]]) -> Markup:
    """Horizontal bars, one per row: (label, value, the value as read)."""
    height = 24 + 26 * max(len(rows), 1)
    top = max((v for _, v, _ in rows), default=0) or 1
    label_w, room = 200, WIDTH - 200 - 90
    parts = [_open(cid, title, "; ".join(f"{a}: {b}" for a, _, b in rows) or "no data", height)]
    parts.append(_patterns(cid))
    for i, (label, value, shown) in enumerate(rows):
        y = 12 + 26 * i
        w = max(room * value / top, 1 if value else 0)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" fill="#1b1f24">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="18" fill="url(#{cid}-p0)"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" fill="#1b1f24">{escape(shown)}</text>'
        )
    if not rows:
        parts.append(f'<text x="10" y="30" fill="#586069">{escape("nothing on record")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)


def stacked(cid: str, title: str, groups: Sequence[str], series: Sequence[Series]) -> Markup:
    """Vertical stacked bars: one bar per group, one segment per series, with a legend."""
    n = max(len(groups), 1)
    legend_rows = (len(series) + 2) // 3
    plot_top, plot_h = 16 + 20 * legend_rows, 180
    height = plot_top + plot_h + 60
    totals = [sum(s.values[i] for s in series) for i in range(len(groups))]
    top = max(totals, default=0) or 1
    slot = (WIDTH - 40) / n
    bar_w = min(slot * 0.6, 80)
    desc = "; ".join(
        f"{g}: " + ", ".join(f"{s.name} {s.values[i]:g}" for s in series)
        for i, g in enumerate(groups)
    )
    parts = [_open(cid, title, desc or "no data", height), _patterns(cid)]
    for j, s in enumerate(series):  # the legend: pattern and name
        lx, ly = 10 + 170 * (j % 3), 8 + 20 * (j // 3)
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="14" height="14" '
            f'fill="url(#{cid}-p{j % len(_SERIES)})" '
            f'stroke="#1b1f24" stroke-width=".5"/><text x="{lx + 20}" y="{ly + 12}" '
            f'fill="#1b1f24">{escape(s.name.replace("_", " "))}</text>'
        )
    base = plot_top + plot_h
    parts.append(f'<line x1="20" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#586069"/>')
    for i, g in enumerate(groups):
        x = 20 + slot * i + (slot - bar_w) / 2
        y = float(base)
        for j, s in enumerate(series):
            v = s.values[i]
            if not v:
                continue
            h = plot_h * v / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="url(#{cid}-p{j % len(_SERIES)})" stroke="#fff" stroke-width=".5"/>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'fill="#1b1f24">{totals[i]:g}</text>'
        )
        label = g if len(g) <= 16 else g[:15] + "…"
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{base + 16}" text-anchor="middle" '
            f'fill="#1b1f24" font-size="11">{escape(label)}</text>'
        )
    if not groups:
        parts.append(f'<text x="20" y="{base - 10}" fill="#586069">nothing on record</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)
