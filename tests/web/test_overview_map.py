"""The overview map (/map): the open cases a viewer may see, each at its area, and the
registry's people counted by H3 cell - never one mark per person - with tables that say
the same in words, on SQLite and PostgreSQL, in Chromium at 1280 and 390 px."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from lxml import html as lhtml
from playwright.sync_api import Browser
from sqlalchemy import event, func, select

from tearline import workflow as wf
from tearline.store import tables as t
from tearline.workflow import cases
from tests.web.browser import browser, shot, sign_in
from tests.web.conftest import PROVENANCE, ingest_demo
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]

# a case in a compartment no desk user holds (in St Petersburg, where some people live)
SECRET = b"Militants are planning a bombing at the Kazan Cathedral in Saint Petersburg on Sunday.\n"
NEAR_CROCUS, IN_PETERSBURG = 120, 45


def _people(app: wf.App, near: int, far: int, start: int = 0) -> None:
    """``near`` people within 300 m of Crocus City Hall (inside the case's 2 km area)
    and ``far`` in St Petersburg."""
    rows: list[dict[str, Any]] = []
    for i in range(start, start + near + far):
        at = (
            (55.8258 + (i % 10) * 0.0002, 37.3903 + (i // 10 % 10) * 0.0003)
            if i - start < near
            else (59.93 + (i % 7) * 0.01, 30.32 + (i % 5) * 0.01)
        )
        rows.append(
            {
                "name": f"Person {i}",
                "kind": "person",
                "tier": "public",
                "language": "ru",
                "contacts": [{"channel": "sms", "address": f"+7916{i:07d}"}],
                "home": {"lat": at[0], "lon": at[1]},
            }
        )
    wf.import_recipients(app, json.dumps(rows).encode(), "json", actor="dana")


def _cases(app: wf.App) -> tuple[str, str]:
    seen = ingest_demo(app)
    hidden_prov = replace(PROVENANCE, compartments=("HUMINT",))
    result = wf.ingest_bytes(app, SECRET, "luzhniki.txt", hidden_prov, actor="root")
    hidden = next(e.threat_ref for e in result.events if e.threat_ref)
    assert hidden is not None
    assert hidden != seen
    return seen, hidden


def _rows(page: str, table: str) -> list[list[str]]:
    """The table's body rows, each cell's text with its spaces collapsed."""
    doc = lhtml.fromstring(page)
    return [
        [
            " ".join("".join(str(x) for x in c.itertext()).split())
            for c in tr
            if c.tag in ("th", "td")
        ]
        for tr in doc.iterfind(f".//table[@id='{table}']/tbody/tr")
    ]


def test_the_map_lists_what_the_record_holds_and_hides_other_compartments(desk: Desk) -> None:
    app = desk.app
    seen, hidden = _cases(app)
    _people(app, NEAR_CROCUS, IN_PETERSBURG)
    page = desk.client("ana").get("/map").text

    cases = _rows(page, "map-cases")
    assert [r[0] for r in cases] == [seen]
    assert "Crocus City Hall (55.826°, 37.390°)" in cases[0][2]
    assert cases[0][4] == "2 km around"
    # not on the map, not in the text, and its area concerns no one on this map
    assert hidden not in page
    assert "Kazan" not in page

    people = _rows(page, "map-people")
    with app.read() as s:
        homes = s.scalar(
            select(func.count(func.distinct(t.RecipientLocation.recipient_id))).where(
                t.RecipientLocation.kind == "home"
            )
        )
    assert sum(int(r[2]) for r in people) == homes == NEAR_CROCUS + IN_PETERSBURG
    assert sum(int(r[3]) for r in people) == NEAR_CROCUS
    # clustered: far fewer marks than people, each with its count
    marks = re.findall(r'<g class="cluster( concerned)?">', page)
    assert 0 < len(marks) <= len(people) < (NEAR_CROCUS + IN_PETERSBURG) / 5
    assert marks.count(" concerned") == sum(1 for r in people if r[3] != "0")
    assert f"{NEAR_CROCUS} of {NEAR_CROCUS + IN_PETERSBURG} registered people live within" in page

    # someone holding no compartment sees no case at all, and no one inside its area
    outsider = desk.client("otto").get("/map").text
    assert _rows(outsider, "map-cases") == []
    assert seen not in outsider
    assert "No open case you may see." in outsider
    assert all(r[3] == "0" for r in _rows(outsider, "map-people"))


def test_the_registry_is_read_in_a_fixed_number_of_queries(sqlite_desk: Desk) -> None:
    app = sqlite_desk.app
    _cases(app)
    statements: list[str] = []

    def count(*args: Any) -> None:
        # Only the registry's reads: the desk's own worker queries in the background.
        if "recipient" in args[2].lower():
            statements.append(args[2])

    client = sqlite_desk.client("ana")
    client.get("/map")  # sign-in and first-use queries out of the way
    _people(app, 10, 5)
    event.listen(app.db.engine, "before_cursor_execute", count)
    try:
        client.get("/map")
        few = len(statements)
        _people(app, 400, 200, start=100)
        statements.clear()
        page = client.get("/map").text
        many = len(statements)
    finally:
        event.remove(app.db.engine, "before_cursor_execute", count)
    assert sum(int(r[2]) for r in _rows(page, "map-people")) == 615
    assert few > 0  # the registry is read ...
    assert many == few  # ... in as many queries for 615 people as for 15


def test_the_map_in_chromium_at_1280_and_390(browser: Browser, sqlite_desk: Desk) -> None:
    desk = sqlite_desk
    seen, _ = _cases(desk.app)
    _people(desk.app, NEAR_CROCUS, IN_PETERSBURG)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, desk.url, "ana", PEOPLE["ana"][0])
    page.click("nav[aria-label=Main] a[href='/map']")
    page.wait_for_url(f"{desk.url}/map")
    assert page.locator("h1").inner_text() == "Map of open cases"
    assert page.locator("svg.map .case-area").count() == 1
    assert page.locator("#map-cases tbody th").all_inner_texts() == [seen]
    shot(page, "map-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "map-390")
    assert wide <= 390, f"/map is {wide} px wide at 390 px"
    # the map shrinks to the phone's width and stays in view
    box = page.locator("svg.map").bounding_box()
    assert box is not None
    assert box["width"] <= 390
    context.close()


def test_words_from_a_report_are_text_on_the_map(sqlite_desk: Desk) -> None:
    app = sqlite_desk.app
    seen, _ = _cases(app)
    ana = wf.sign_in(app, "ana", PEOPLE["ana"][0])
    place = {**wf.show(app, seen)["facts"]["place"], "venue": "<img src=x onerror=alert(1)>"}
    cases.correct_fact(app, seen, "place", place, "the venue's name as the source wrote it", ana)
    page = sqlite_desk.client("ana").get("/map").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
