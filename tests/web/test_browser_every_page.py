"""Every page of the desk in Chromium at 390 px (a phone) and 1280 px (a laptop).

The pages are enumerated from the app's own routes (every GET route answering HTML), so a
new page is covered the day it lands. Each is opened by someone who may see it, on a desk
holding the demo case released (a reply in, a second release waiting) and a second case.
At 390 px nothing may scroll sideways. Screenshots: test-artifacts/screens/page-*.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, Page
from starlette.routing import Mount

from tearline import workflow as wf
from tearline.web import create_app
from tests.web.browser import browser, shot, sign_in
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk
from tests.web.test_matrix import _reply_token, _walk

__all__ = ["browser"]

KABUL = (
    "Kabul, 25 August 2021. Reporting indicates that ISIS-K suicide bombers plan to attack "
    "crowds at the Abbey Gate of Kabul airport within the next 24 hours.\n"
)
# One person holding every role and the case's compartment: every page is theirs to see.
EVERYONE = ("eve", "eve-every-role-pass")
# A path parameter's value, by the path segment before it; a new kind fails below.
REF_BY_SEGMENT = {
    "reports": "RPT-1",
    "threats": "THR-1",
    "recipients": "RCP-1",
    "determinations": "DET-1",
    "releases": "REL-1",
    "warnings": "WRN-1",
}
WIDTHS = (390, 1280)


def page_routes(app: wf.App) -> list[str]:
    """Every GET route that answers a page (HTML), less the API and the feeds."""
    found = []
    for route in _walk(list(create_app(app).routes)):
        if isinstance(route, Mount) or "GET" not in (getattr(route, "methods", None) or ()):
            continue
        path = str(route.path)
        if path.startswith(("/api/", "/taxii2/", "/feed")):
            continue
        if getattr(route, "response_class", None) is HTMLResponse:
            found.append(path)
    assert len(found) > 15, f"the walk found too few pages: {found}"
    return sorted(found)


def concrete(path: str, reply: str) -> str:
    def fill(m: re.Match[str]) -> str:
        if m.group(2) == "token":
            return reply
        segment = m.group(1)
        assert segment in REF_BY_SEGMENT, f"{path}: add a value for /{segment}/{{...}} here"
        return REF_BY_SEGMENT[segment]

    return re.sub(r"/([\w-]+)/\{(\w+)\}", lambda m: f"/{m.group(1)}/{fill(m)}", path)


def _desk_state(desk: Desk) -> str:
    """The demo case released, answered, an update waiting; a second case; the reply link."""
    app = desk.app
    wf.add_user(
        app,
        *EVERYONE,
        ["analyst", "duty_officer", "approver", "auditor", "admin"],
        compartments=["CT"],
        by="test",
    )
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    wf.approve_release(app, proposed.ref, wf.sign_in(app, "avery", PEOPLE["avery"][0]))
    wf.respond(app, "WRN-1", "disputed", dana, note="provocation, not a plan")
    wf.propose_release(app, threat, dana)  # REL-2 waits for an approver
    prov = wf.Provenance(source="OSINT desk", reliability="C", compartments=("CT",))
    wf.ingest_bytes(app, KABUL.encode(), "kabul.txt", prov, actor="ana")
    return _reply_token(desk)


def _measure(page: Page, url: str) -> dict[str, Any]:
    response = page.goto(url)
    assert response is not None, url
    assert response.status < 400, (url, response.status)
    return dict(
        page.evaluate(
            """() => {
              // Visually hidden (the sr-only pattern: 1 px, absolute): not on screen.
              const hidden = e => {
                for (let a = e; a && a.tagName !== 'MAIN'; a = a.parentElement) {
                  const s = getComputedStyle(a);
                  const w = a.getBoundingClientRect().width;
                  if (s.position === 'absolute' && w <= 1) return true;
                  if (s.display === 'none' || s.visibility === 'hidden') return true;
                }
                return false;
              };
              return {
              full: !!document.querySelector('main'),
              width: document.documentElement.scrollWidth,
              inner: window.innerWidth,
              wide: Array.from(document.querySelectorAll('main *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => !e.parentElement.closest('svg'))  // drawn inside its picture
                .filter(e => !hidden(e))
                .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && typeof e.className === 'string'
                     ? '.' + e.className.trim().split(/\\s+/).join('.') : '')),
              };
            }"""
        )
    )


def _name(path: str) -> str:
    return re.sub(r"[^\w]+", "-", path).strip("-") or "home"


@pytest.mark.slow
def test_every_page_fits_a_phone_and_a_laptop(browser: Browser, sqlite_desk: Desk) -> None:
    desk = sqlite_desk
    reply = _desk_state(desk)
    paths = [concrete(p, reply) for p in page_routes(desk.app)]
    assert "/threats/THR-1/release" in paths
    assert "/deliveries" in paths
    too_wide: list[str] = []
    seen = 0
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        public = context.new_page()  # /login and the public pages, as nobody
        sign_in(page, desk.url, *EVERYONE)
        for path in paths:
            tab = public if path.startswith(("/login", "/reply/")) else page
            got = _measure(tab, desk.url + path)
            if not got["full"]:
                continue  # a fragment the pages fetch (a queue's rows), not a page
            seen += 1
            shot(tab, f"page-{_name(path)}-{width}")
            # Sideways scrolling of the page, or of a box within it (a table's wrapper).
            if width == 390 and (got["width"] > got["inner"] or got["wide"]):
                too_wide.append(f"{path} is {got['width']} px wide: {got['wide']}")
        context.close()
    assert seen >= 2 * 15, f"only {seen} pages were full pages"
    assert too_wide == [], "\n".join(too_wide)
