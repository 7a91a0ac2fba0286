"""Charts for the after-action review as small SVG drawn here: no script, no library
fetched from outside, the same markup in the desk, the HTML file and the PDF.

Each chart is an ``<svg role="img">`` with a title and a description, sized by its
viewBox so it shrinks to a phone's width. Colour is never the only signal: every series
also has its own fill pattern, named in the legend, and each bar is labelled with its
number. The review puts a table with the same figures beside every chart.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
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


# The lanes of a case's timeline, top to bottom, and the mark each stage gets (so a
# stage is told by its lane and its shape, not by colour alone).
_LANES = (
    ("window", "threat window", "bar"),
    ("reported", "reported", "circle"),
    ("determined", "determined", "square"),
    ("proposed", "proposed", "square"),
    ("warned", "released", "diamond"),
    ("delivered", "delivered", "triangle"),
    ("acknowledged", "acknowledged", "circle"),
    ("answered", "answered", "diamond"),
    ("escalated", "escalated", "triangle"),
    ("event", "event", "star"),
)
TIMELINE_LEFT, TIMELINE_RIGHT = 110, WIDTH - 14


def _mark(shape: str, x: float, y: float) -> tuple[str, str]:
    """The opening of a mark's element (attributes still to come) and its closing tag."""
    if shape == "square":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"', "</rect>"
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5"', "</circle>"
    points = {
        "diamond": ((0, -6), (6, 0), (0, 6), (-6, 0)),
        "triangle": ((0, -6), (6, 5), (-6, 5)),
        "star": (
            (0, -7),
            (2, -2),
            (7, -2),
            (3, 2),
            (5, 7),
            (0, 4),
            (-5, 7),
            (-3, 2),
            (-7, -2),
            (-2, -2),
        ),
    }[shape]
    d = "M" + " L".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in points) + " Z"
    return f'<path d="{d}"', "</path>"


def _when(at: datetime, span: timedelta) -> str:
    return at.strftime("%d %b %H:%M" if span < timedelta(days=20) else "%d %b %Y")


def timeline(
    cid: str,
    title: str,
    entries: Sequence[tuple[datetime, str, str]],
    gap_at_least: float = 0.15,
) -> Markup:
    """A case's steps on a real time axis: (when, stage, label) each, one lane per
    stage; the threat window ("window" entries: its start and end) is a band across the
    plot, and a stretch of more than ``gap_at_least`` of the whole with nothing on record
    is marked as a gap with its length. Each mark carries its time (``data-at``)."""
    lanes = [lane for lane in _LANES if any(stage == lane[0] for _, stage, _ in entries)]
    if not entries:
        return Markup(  # noqa: S704 (the title is escaped)
            _open(cid, title, "nothing on record", 40)
            + '<text x="10" y="24" fill="#586069">nothing on record</text></svg>'
        )
    t0 = min(at for at, _, _ in entries)
    t1 = max(at for at, _, _ in entries)
    span = (t1 - t0) or timedelta(hours=1)
    plot_w = TIMELINE_RIGHT - TIMELINE_LEFT
    top, lane_h = 12, 26
    base = top + lane_h * len(lanes)
    height = base + 56

    def x_of(at: datetime) -> float:
        return TIMELINE_LEFT + plot_w * ((at - t0) / span)

    desc = "; ".join(f"{_when(at, span)} UTC {stage}: {label}" for at, stage, label in entries)
    parts = [_open(cid, title, desc, height)]
    window = sorted(at for at, stage, _ in entries if stage == "window")
    if len(window) >= 2:
        a, b = x_of(window[0]), x_of(window[-1])
        parts.append(
            f'<rect class="tl-window" x="{a:.1f}" y="{top - 6}" width="{max(b - a, 1):.1f}" '
            f'height="{base - top + 6}" fill="#f7efd2" stroke="#7d4e00" stroke-dasharray="4 3">'
            f"<title>threat window: {escape(_when(window[0], span))} to "
            f"{escape(_when(window[-1], span))} UTC</title></rect>"
        )
    for i, (_, name, _) in enumerate(lanes):
        y = top + lane_h * i + lane_h / 2
        parts.append(
            f'<text x="{TIMELINE_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="#1b1f24">{escape(name)}</text>'
            f'<line x1="{TIMELINE_LEFT}" y1="{y:.1f}" x2="{TIMELINE_RIGHT}" y2="{y:.1f}" '
            f'stroke="#d0d7de"/>'
        )
    # gaps: long stretches between consecutive steps with nothing on record
    steps = sorted(at for at, stage, _ in entries if stage != "window")
    for p, q in itertools.pairwise(steps):
        if (q - p) / span > gap_at_least:
            xa, xb = x_of(p), x_of(q)
            gap = _span_words(q - p)
            parts.append(
                f'<g class="tl-gap"><line x1="{xa:.1f}" y1="{base + 8}" x2="{xb:.1f}" '
                f'y2="{base + 8}" stroke="#a40e26" stroke-dasharray="2 2"/>'
                f'<text x="{(xa + xb) / 2:.1f}" y="{base + 20}" text-anchor="middle" '
                f'font-size="11" fill="#a40e26">gap {escape(gap)}</text></g>'
            )
    parts.append(
        f'<line x1="{TIMELINE_LEFT}" y1="{base + 28}" x2="{TIMELINE_RIGHT}" y2="{base + 28}" '
        f'stroke="#586069"/>'
    )
    for k in range(3):  # the axis: its start, middle and end (room for a label each)
        at = t0 + span * (k / 2)
        x = x_of(at)
        anchor = ("start", "middle", "end")[k]
        parts.append(
            f'<line x1="{x:.1f}" y1="{base + 24}" x2="{x:.1f}" y2="{base + 32}" stroke="#586069"/>'
            f'<text class="tl-tick" x="{x:.1f}" y="{base + 46}" text-anchor="{anchor}" '
            f'font-size="11" fill="#1b1f24" data-at="{at.isoformat()}">'
            f"{escape(_when(at, span))}</text>"
        )
    shapes = {stage: shape for stage, _, shape in lanes}
    rows = {stage: i for i, (stage, _, _) in enumerate(lanes)}
    for at, stage, label in entries:
        if stage == "window":
            continue
        x, y = x_of(at), top + lane_h * rows[stage] + lane_h / 2
        opening, closing = _mark(shapes[stage], x, y)
        parts.append(
            f'{opening} class="tl-mark tl-{escape(stage)}" data-x="{x:.3f}" '
            f'data-at="{at.isoformat()}" fill="#0b4f8a" stroke="#0b4f8a">'
            f"<title>{escape(_when(at, span))} UTC: {escape(label)}</title>{closing}"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)


def _span_words(d: timedelta) -> str:
    days, rest = divmod(int(d.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {rest // 60} min"
    return f"{rest // 60} min"
