"""The review's document: charts a screen reader can name, text from the record escaped,
and an empty case or period written without a failure."""

from __future__ import annotations

from typing import Any

from lxml import etree

from tearline.review import render_html
from tearline.review.charts import Series, bars, stacked

HOSTILE = '<script>window.__xss=1</script><img src=x onerror="alert(1)">'


def _rates(group: str, outcome: str) -> dict[str, Any]:
    counts = {o: int(o == outcome) for o in ("heeded", "disputed", "asked_for_more", "unanswered")}
    return {"group": group, "total": 1, **counts, "rates": counts, "refs": ["WRN-1"]}


def _case(title: str, recipient: str) -> dict[str, Any]:
    at = "2024-03-06T09:00:00+00:00"
    return {
        "scope": "case",
        "generated_at": at,
        "ref": "THR-1",
        "title": title,
        "status": "warned",
        "first_report": {"at": at, "refs": ["RPT-1"], "audit": [7]},
        "lead_times": [
            {
                "step": "delivery",
                "at": at,
                "after_report_s": 600,
                "after_report": "10 min",
                "refs": ["DLV-1", "WRN-1"],
                "recipient": recipient,
                "channel": "webhook",
                "audit": [7, 26],
            }
        ],
        "answers": [
            {
                "recipient": recipient,
                "tier": "partner",
                "channels": ["webhook"],
                "warnings": ["WRN-1"],
                "answer": "disputed",
                "outcome": "disputed",
                "refs": ["WRN-1", "RSP-1"],
                "audit": [28],
            }
        ],
        "by_tier": [_rates("partner", "disputed")],
        "by_channel": [_rates(HOSTILE, "disputed")],
        "waivers": [],
        "parity_flags": [
            {"reason": HOSTILE, "status": "recorded", "refs": ["DET-1"], "audit": [18]}
        ],
        "escalations": [],
        "deliveries": [],
        "chart": {
            "unit": "hour",
            "statuses": ["delivered"],
            "buckets": [{"label": "2024-03-06 09:00", "delivered": 1}],
        },
    }


def test_text_from_the_record_is_escaped_everywhere() -> None:
    html = render_html(_case(HOSTILE, HOSTILE))
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    # still well-formed where the charts are: every SVG parses as XML
    at, parsed = 0, 0
    while (at := html.find("<svg", at)) != -1:
        end = html.index("</svg>", at) + len("</svg>")
        etree.fromstring(html[at:end].encode())
        at, parsed = end, parsed + 1
    assert parsed == 4


def test_each_chart_is_named_and_never_tells_by_colour_alone() -> None:
    svg = stacked(
        "t",
        "Answers by tier",
        ["adversary", "public"],
        [Series("heeded", (0.0, 2.0)), Series("disputed", (1.0, 0.0))],
    )
    root = etree.fromstring(str(svg).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t-t t-d"
    assert root.find("s:title", ns).text == "Answers by tier"  # type: ignore[union-attr]
    desc = root.find("s:desc", ns).text  # type: ignore[union-attr]
    assert desc == "adversary: heeded 0, disputed 1; public: heeded 2, disputed 0"
    fills = {r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert {"url(#t-p0)", "url(#t-p1)"} <= fills  # a pattern per series, not a colour
    texts = [x.text for x in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "heeded" in texts
    assert "disputed" in texts  # the legend names them
    assert "2" in texts  # each bar says its total


def test_nothing_on_record_is_said_not_drawn_as_an_empty_frame() -> None:
    for svg in (bars("b", "Lead time", []), stacked("s", "Deliveries", [], [])):
        assert "nothing on record" in str(svg)
    empty = {
        "scope": "period",
        "generated_at": "2024-03-06T09:00:00+00:00",
        "from": None,
        "to": None,
        "cases": [],
        "lead_time_summary": [
            {"step": s, "cases": 0, "median_s": None, "worst_s": None}
            for s in ("determination", "release_approval", "delivery", "acknowledgement")
        ],
        "by_tier": [],
        "by_channel": [],
        "waivers_by_code": [],
        "escalations_by_end": [],
        "parity_flags": 0,
        "chart": {"unit": "day", "statuses": [], "buckets": []},
    }
    html = render_html(empty)
    assert "No case in this period." in html
    assert html.count('<svg class="chart"') == 4
