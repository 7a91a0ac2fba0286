"""Report text is hostile input: script-injection payloads pasted as reports stay inert.

Checked in Chromium, not by string comparison alone: every payload tries to set a window
flag or open a dialog; the test listens for both, and for any script error, on every page
that shows the report (inbox, report, case, triage) — and checks the payload is shown as
the very text that was pasted.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.web.browser import browser, sign_in
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]

PAYLOADS = [
    "<script>window.__xss=1;alert(1)</script>",
    '<img src=x onerror="window.__xss=2;alert(2)">',
    "<svg onload=window.__xss=3;alert(3)>",
    '"><script>window.__xss=4</script>',
    "</pre></mark><script>window.__xss=5</script>",
    '<a href="javascript:window.__xss=6">Crocus</a>',
    '<iframe srcdoc="<script>parent.__xss=7</script>"></iframe>',
    '<div hx-get="/api/me" hx-trigger="load" hx-target="body" hx-swap="outerHTML">htmx</div>',
    "<details open ontoggle=window.__xss=9>x</details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=10>",
    "<body onload=window.__xss=11>",
    "{{7*7}} {% raw %}${7*7}{% endraw %} #{7*7}",
    "<style>body{display:none}</style>",
    '<object data="javascript:window.__xss=14"></object>',
    "<input autofocus onfocus=window.__xss=15>",
    '<meta http-equiv=refresh content="0;url=javascript:window.__xss=16">',
    "'';!--\"<XSS>=&{()}",
]


def report_with(payload: str) -> str:
    # A real threat around the payload, so it is extracted and filed into a case too.
    return (
        f"{payload}\n"
        f"ISIS-K operatives are planning an armed attack on concerts in Paris within days. "
        f"The attackers intend to kill as many people as possible. {payload}\n"
    )


def armed(page: Page) -> list[str]:
    fired: list[str] = []
    page.on("dialog", lambda d: (fired.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: fired.append(f"error: {e}"))
    return fired


def assert_inert(page: Page, fired: list[str], where: str) -> None:
    page.wait_for_timeout(150)  # let onload/onerror handlers and htmx "load" triggers run
    assert page.evaluate("window.__xss === undefined"), where
    assert fired == [], (where, fired)


@pytest.mark.slow
def test_script_injection_stays_inert_in_chromium(browser: Browser, sqlite_desk: Desk) -> None:
    desk = sqlite_desk
    page = browser.new_page()
    fired = armed(page)
    sign_in(page, desk.url, "ana", PEOPLE["ana"][0])
    for i, payload in enumerate(PAYLOADS, 1):
        page.goto(f"{desk.url}/inbox")
        page.fill("#text", report_with(payload))
        page.fill("#title", f"{payload[:100]}.txt")
        page.fill("#source", f"source {i} {payload[:60]}")
        with page.expect_navigation():
            page.click("#ingest-form button[type=submit]")
        assert_inert(page, fired, f"report page, payload {i}")
        assert "/reports/" in page.url, (i, page.locator(".flash").all_inner_texts())
        text = page.locator("pre.report-text").inner_text()
        assert payload in text, (i, text[:300])
        assert page.locator("body").is_visible()
    for path in ("/inbox", "/triage"):
        page.goto(desk.url + path)
        assert_inert(page, fired, path)
        assert page.locator("body").is_visible()
    cases = page.locator("a.case-link").all_inner_texts()
    assert cases, "the payload reports opened no case"
    for ref in cases:
        page.goto(f"{desk.url}/threats/{ref}")
        assert_inert(page, fired, ref)
        shown = page.locator("pre.report-text").first.inner_text()
        assert any(p in shown for p in PAYLOADS), ref
    page.goto(f"{desk.url}/inbox")
    assert "49" not in page.locator("#reports").inner_text().replace("2024", "")
    page.close()


@pytest.mark.slow
def test_a_hostile_verification_paste_stays_inert(browser: Browser, sqlite_desk: Desk) -> None:
    page = browser.new_page()
    fired = armed(page)
    for payload in PAYLOADS[:6]:
        page.goto(f"{sqlite_desk.url}/verify")
        page.fill("#content", payload)
        with page.expect_navigation():
            page.click("#verify-form button")
        assert_inert(page, fired, payload)
        assert page.locator("#content").input_value() == payload
        assert "Not verified" in page.locator("#verdict").inner_text()
    page.close()
