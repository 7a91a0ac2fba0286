"""A case's timeline on a real time axis: each step's mark sits where its time puts it,
the threat's window is a band, long stretches with nothing on record are marked as gaps,
and the list of the same steps stands beside the drawing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from playwright.sync_api import Browser

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.review.charts import TIMELINE_LEFT, TIMELINE_RIGHT, timeline
from tearline.workflow.timeline import case_timeline
from tests.partners import deliver
from tests.web.browser import browser, shot, sign_in
from tests.web.conftest import ingest_demo, start_desk
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)


def _attr(e: etree._Element, name: str) -> str:
    return str(e.attrib[name])


def _x(mark: etree._Element) -> float:
    """The x of a mark's centre, read from its drawn geometry."""
    if mark.tag == SVG + "circle":
        return float(mark.attrib["cx"])
    if mark.tag == SVG + "rect":
        return float(mark.attrib["x"]) + float(mark.attrib["width"]) / 2
    first = re.match(r"M([-\d.]+),", _attr(mark, "d"))  # a path starts at its top point
    assert first is not None
    return float(first.group(1))


def _marks(svg: etree._Element) -> list[tuple[datetime, float]]:
    return [
        (datetime.fromisoformat(_attr(m, "data-at")), _x(m))
        for m in svg.iter()
        if "tl-mark" in m.attrib.get("class", "").split()
    ]


def _proportional(svg: etree._Element, t0: datetime, t1: datetime) -> None:
    marks = _marks(svg)
    assert marks
    width = TIMELINE_RIGHT - TIMELINE_LEFT
    for at, x in marks:
        assert (x - TIMELINE_LEFT) / width == pytest.approx((at - t0) / (t1 - t0), abs=0.002)


def test_marks_sit_in_proportion_to_their_times() -> None:
    entries = [
        (T0, "reported", "report received (AMBER)"),
        (T0, "window", "threat window opens"),
        (T0 + timedelta(hours=2), "determined", "determination: warn by dana"),
        (T0 + timedelta(hours=3), "warned", "released by avery"),
        (T0 + timedelta(hours=3, minutes=1), "delivered", "delivered to <script>x</script>"),
        (T0 + timedelta(days=3), "acknowledged", "Moscow police: received"),
        (T0 + timedelta(days=7), "window", "threat window ends"),
    ]
    markup = str(timeline("t", "THR-1", entries))
    assert "<script>" not in markup  # a recipient's name is text, never markup
    svg = etree.fromstring(markup.encode())
    _proportional(svg, T0, T0 + timedelta(days=7))
    assert len(_marks(svg)) == 5  # every step but the window's two ends
    band = next(e for e in svg.iter(SVG + "rect") if e.attrib.get("class") == "tl-window")
    assert float(band.attrib["x"]) == pytest.approx(TIMELINE_LEFT)
    assert float(band.attrib["width"]) == pytest.approx(TIMELINE_RIGHT - TIMELINE_LEFT)
    # the lanes say what each mark is, in words
    lanes = {t.text for t in svg.iter(SVG + "text")}
    assert {"threat window", "reported", "determined", "released", "delivered"} <= lanes
    # the long silence before the answer is marked, with its length
    gaps = [
        "".join(str(t) for t in g.itertext())
        for g in svg.iter(SVG + "g")
        if g.attrib.get("class") == "tl-gap"
    ]
    assert gaps == ["gap 2 d 20 h"]
    # the text alternative names every step
    desc = svg.find(SVG + "desc")
    assert desc is not None
    assert desc.text is not None
    assert "acknowledged: Moscow police: received" in desc.text


def test_a_case_with_one_moment_still_draws_an_axis() -> None:
    svg = etree.fromstring(
        str(timeline("t", "THR-1", [(T0, "reported", "report received")])).encode()
    )
    assert [x for _, x in _marks(svg)] == [pytest.approx(TIMELINE_LEFT)]
    empty = etree.fromstring(str(timeline("t", "THR-1", [])).encode())
    assert empty.find(SVG + "desc") is not None


@pytest.fixture
def quiet_desk(sqlite_app: wf.App) -> Iterator[Desk]:
    """The desk without its worker: deliveries are run by the test, at the test's time."""
    d = start_desk(sqlite_app, worker=False)
    yield d
    d.stop()


def _released_and_delivered(app: wf.App) -> str:
    """The demo case decided 2 h after its report, released 1 h 20 min later, delivered
    5 min after that (the desk's clock moved by the test)."""
    clock = app.clock
    assert isinstance(clock, FixedClock)
    ref = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    clock.advance(timedelta(hours=2))
    wf.decide(app, ref, dana)
    clock.advance(timedelta(hours=1))
    proposed = wf.propose_release(app, ref, dana)
    clock.advance(timedelta(minutes=20))
    wf.approve_release(app, proposed.ref, avery)
    clock.advance(timedelta(minutes=5))
    assert deliver(app)
    return ref


def test_the_timeline_page_draws_the_record_to_scale(quiet_desk: Desk) -> None:
    app = quiet_desk.app
    ref = _released_and_delivered(app)

    html = quiet_desk.client("ana").get(f"/threats/{ref}/timeline").text
    found = re.search(r'<svg class="chart".*?</svg>', html, re.S)
    assert found is not None
    svg = etree.fromstring(found.group(0).encode())
    entries = case_timeline(app, ref, None)["entries"]
    times = [datetime.fromisoformat(e["at"]) for e in entries]
    _proportional(svg, min(times), max(times))
    # one mark per step of the record, at the step's time; the list beside says the same
    steps = sorted(datetime.fromisoformat(e["at"]) for e in entries if e["stage"] != "window")
    assert sorted(at for at, _ in _marks(svg)) == steps
    assert {"reported", "determined", "released", "delivered"} <= {
        t.text for t in svg.iter(SVG + "text")
    }
    assert html.count('<li class="stage-') == len(entries)
    # the demo's window (a week from the report) is drawn as the band
    band = next(e for e in svg.iter(SVG + "rect") if e.attrib.get("class") == "tl-window")
    assert float(band.attrib["x"]) == pytest.approx(TIMELINE_LEFT)


def test_the_timeline_in_chromium_at_1280_and_390(browser: Browser, quiet_desk: Desk) -> None:
    # (in a thread of its own: delivery runs an event loop, and Playwright's is running here)
    with ThreadPoolExecutor(1) as pool:
        ref = pool.submit(_released_and_delivered, quiet_desk.app).result()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, quiet_desk.url, "ana", PEOPLE["ana"][0])
    page.goto(f"{quiet_desk.url}/threats/{ref}/timeline")
    assert page.locator("svg.chart .tl-mark").count() >= 4
    shot(page, "timeline-chart-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "timeline-chart-390")
    assert wide <= 390, f"the timeline is {wide} px wide at 390 px"
    context.close()
