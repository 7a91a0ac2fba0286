"""The review written out: one body (headings, charts, a table beside each chart) used by
the desk page, a standalone HTML file and a PDF.

The PDF is the HTML file drawn by WeasyPrint, so the two can never say different things,
and the SVG charts go into the PDF as vector drawings with their text searchable.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from tearline.errors import ConfigError
from tearline.review.charts import Series, bars, stacked

FORMATS = ("html", "pdf", "json")
_OUTCOMES = ("heeded", "disputed", "asked_for_more", "unanswered")
_STEP_LABELS = {
    "determination": "Determination",
    "release_approval": "Release approved",
    "delivery": "Delivered",
    "acknowledgement": "Acknowledged",
}

_env = Environment(
    loader=PackageLoader("tearline.review", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["step"] = lambda s: _STEP_LABELS.get(s, s)
_env.filters["words"] = lambda s: str(s).replace("_", " ")
_env.filters["when"] = lambda s: str(s)[:16].replace("T", " ") if s else "—"


def _answers_chart(cid: str, title: str, rows: list[dict[str, Any]]) -> Markup:
    groups = [r["group"].replace("_", " ") for r in rows]
    series = [Series(o, tuple(float(r[o]) for r in rows)) for o in _OUTCOMES]
    return stacked(cid, title, groups, series)


def _lead_chart(review: dict[str, Any]) -> Markup:
    if review["scope"] == "period":
        rows = [
            (_STEP_LABELS[s["step"]] + " (median)", float(s["median_s"]), s["median"])
            for s in review["lead_time_summary"]
            if s["median_s"] is not None
        ]
        return bars("lead", "Median lead time of each step after the first report", rows)
    rows = []
    for e in review["lead_times"]:
        who = e.get("recipient")
        label = _STEP_LABELS[e["step"]] + (f": {who}" if who else "")
        rows.append(
            (
                label if len(label) <= 24 else label[:23] + "…",
                float(e["after_report_s"]),
                e["after_report"],
            )
        )
    return bars("lead", "Lead time of each step after the first report", rows)


def _deliveries_chart(review: dict[str, Any]) -> Markup:
    chart = review["chart"]
    groups = [
        b["label"][5:] for b in chart["buckets"]
    ]  # month-day (hour): the year is in the table
    series = [Series(st, tuple(float(b[st]) for b in chart["buckets"])) for st in chart["statuses"]]
    return stacked("dlv", f"Deliveries by {chart['unit']} and status", groups, series)


def charts(review: dict[str, Any]) -> dict[str, Markup]:
    return {
        "lead": _lead_chart(review),
        "tier": _answers_chart("tier", "Answers by recipient tier", review["by_tier"]),
        "channel": _answers_chart("chan", "Answers by channel", review["by_channel"]),
        "deliveries": _deliveries_chart(review),
    }


def render_body(review: dict[str, Any], *, links: bool = True) -> Markup:
    """The review's content (no page around it): the desk puts it in its own layout."""
    html = _env.get_template("body.html").render(
        r=review, charts=charts(review), outcomes=_OUTCOMES, links=links
    )
    return Markup(html)  # noqa: S704 (rendered with autoescape on)


def render_html(review: dict[str, Any]) -> str:
    """A standalone HTML file: styles inline, no script, nothing fetched."""
    body = render_body(review, links=False)
    return _env.get_template("document.html").render(r=review, body=body)


def render_pdf(review: dict[str, Any]) -> bytes:
    """The standalone HTML drawn as PDF (WeasyPrint, on Pango: see pyproject.toml)."""
    try:
        from weasyprint import HTML  # loaded only for a PDF: it pulls in Pango and fonts
    except OSError as exc:  # WeasyPrint loads Pango when imported
        raise ConfigError(
            "a PDF needs the Pango library, which is not installed here "
            "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core); "
            f"HTML and JSON need nothing more ({exc.__class__.__name__})"
        ) from None
    pdf = HTML(string=render_html(review), base_url=None).write_pdf()
    if pdf is None:  # write_pdf returns bytes when given no target
        raise ConfigError("WeasyPrint wrote no PDF")
    return bytes(pdf)
