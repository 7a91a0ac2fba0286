"""The desk in a real browser (Debian's Chromium): the whole chain, person by person.

Analyst: paste a report, see its case arrive in the triage queue without reloading, open
it, see a fact's evidence, correct a fact. Duty officer: determine, propose a release.
Approver: approve. Then the delivery reaches a loopback receiver and its status changes on
the open page; the recipient answers through the reply link; anyone verifies the warning
on the public page; the auditor verifies the chain. Screenshots: test-artifacts/screens.
"""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from tearline import workflow as wf
from tearline.demo.scenario import CODE_WORD, SOURCE, report_text
from tests.web.browser import browser, flash, shot, sign_in, sign_out
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]

KABUL = (
    "Kabul, 25 August 2021. Reporting indicates that ISIS-K suicide bombers plan to attack "
    "crowds at the Abbey Gate of Kabul airport within the next 24 hours.\n"
)


def _paste_report(page: Page, base: str) -> None:
    page.goto(f"{base}/inbox")
    page.fill("#text", report_text().decode())
    page.fill("#title", "moscow-liaison.txt")
    page.fill("#source", SOURCE)
    page.select_option("#reliability", "B")
    page.check("input[name=compartments][value=CT]")
    page.fill("#code_words", CODE_WORD)
    page.fill("#methods", "intercepted Telegram conversations\nTelegram")
    with page.expect_navigation():
        page.click("#ingest-form button[type=submit]")
    assert "RPT-1 stored" in flash(page)
    assert "THR-1 (new case)" in flash(page)


def _analyst(page: Page, desk: Desk) -> None:
    base = desk.url
    sign_in(page, base, "ana", PEOPLE["ana"][0])
    _paste_report(page, base)
    page.goto(f"{base}/inbox")
    shot(page, "01-inbox")
    page.goto(f"{base}/triage")
    expect(page.locator("tr[data-ref='THR-1']")).to_be_visible()
    # A second report arrives while the queue is open: it appears without a reload.
    url_before = page.url
    prov = wf.Provenance(source="OSINT desk", reliability="C", compartments=("CT",))
    wf.ingest_bytes(desk.app, KABUL.encode(), "kabul.txt", prov, actor="ana")
    expect(page.locator("tr[data-ref='THR-2']")).to_be_visible(timeout=15_000)
    assert page.url == url_before
    shot(page, "02-triage")
    page.click("tr[data-ref='THR-1'] a.case-link")
    page.wait_for_url("**/threats/THR-1")
    link = page.locator("#facts a.fact-link", has_text="armed attack")
    link.click()
    active = page.locator("mark.fact.active")
    expect(active).to_have_count(1)
    assert active.inner_text() == "armed attack"
    assert link.get_attribute("aria-pressed") == "true"
    shot(page, "03-threat")
    page.click("#correct > summary")
    form = page.locator("#correct-method")
    page.locator("#correct details", has=form).locator("summary").click()
    form.locator("#c-weapon").fill("automatic rifles and incendiary devices")
    form.locator("#c-method-reason").fill("paragraph 3 names incendiary devices too")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "method corrected on THR-1" in flash(page)
    row = page.locator("#facts table.facts tr", has_text="method")
    expect(row).to_contain_text("automatic rifles and incendiary devices")
    expect(row).to_contain_text("corrected")
    sign_out(page)


def _duty_officer(page: Page, desk: Desk) -> None:
    base = desk.url
    sign_in(page, base, "dana", PEOPLE["dana"][0])
    page.goto(f"{base}/threats/THR-1/determination")
    expect(page.locator("table.checklist")).to_contain_text("harm in scope")
    with page.expect_navigation():
        page.click("#decide-form button")
    assert "DET-1: warn" in flash(page)
    shot(page, "04-determination")
    page.goto(f"{base}/threats/THR-1/release")
    with page.expect_navigation():
        page.click("#propose-form button")
    assert "REL-1 proposed" in flash(page)
    expect(page.locator(".leak").first).to_contain_text("Leak check passed")
    # The proposer cannot approve: the page says so and offers no button.
    expect(page.locator("#approve-form")).to_have_count(0)
    shot(page, "05-release-proposed")
    sign_out(page)


def _approver(page: Page, desk: Desk) -> None:
    base = desk.url
    sign_in(page, base, "avery", PEOPLE["avery"][0])
    page.goto(f"{base}/threats/THR-1/release")
    with page.expect_navigation():
        page.click("#approve-form button")
    assert "REL-1 released by avery (proposed by dana)" in flash(page)
    page.goto(f"{base}/deliveries")
    webhook = page.locator("tr", has_text="webhook").first
    # The embedded worker delivers; the open page shows it without a reload.
    expect(webhook.locator(".delivery-status")).to_contain_text("delivered", timeout=20_000)
    shot(page, "06-deliveries")


def _wait_for_post(desk: Desk) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if desk.receiver.posts:
            return desk.receiver.posts[0].body
        time.sleep(0.2)
    raise AssertionError("the loopback receiver got nothing")


def _recipient(browser: Browser, desk: Desk, body: dict[str, object]) -> None:
    reply = str(body.get("reply_url") or "")
    assert "/reply/" in reply, body.keys()
    page = browser.new_page()
    page.goto(desk.url + "/reply/" + reply.split("/reply/", 1)[1])
    page.check("input[name=kind][value=acting]")
    page.fill("textarea[name=note]", "Security at concert venues reinforced.")
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page.locator("[role=status]")).to_contain_text("is recorded")
    page.close()


def _verify(browser: Browser, desk: Desk, body: dict[str, object]) -> None:
    page = browser.new_page()
    page.goto(f"{desk.url}/verify")
    page.fill("#content", json.dumps(body))
    with page.expect_navigation():
        page.click("#verify-form button")
    expect(page.locator("#verdict")).to_contain_text("Authentic")
    shot(page, "07-verify-authentic")
    tampered = json.dumps(body).replace("Moscow", "Kazan", 1)
    page.fill("#content", tampered)
    with page.expect_navigation():
        page.click("#verify-form button")
    expect(page.locator("#verdict")).to_contain_text("Not verified")
    page.close()


def _auditor(page: Page, desk: Desk) -> None:
    sign_in(page, desk.url, "aude", PEOPLE["aude"][0])
    page.goto(f"{desk.url}/audit")
    with page.expect_navigation():
        page.click("#verify-chain")
    expect(page.locator("#chain-result")).to_contain_text("Intact")
    shot(page, "08-audit")
    page.goto(f"{desk.url}/threats/THR-1/timeline")
    expect(page.locator("ol.timeline")).to_contain_text("released by avery")
    expect(page.locator("ol.timeline")).to_contain_text("acting")
    shot(page, "09-timeline")


@pytest.mark.slow
def test_the_whole_chain_in_chromium(browser: Browser, sqlite_desk: Desk) -> None:
    desk = sqlite_desk
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _analyst(page, desk)
    _duty_officer(page, desk)
    _approver(page, desk)
    body = _wait_for_post(desk)
    _recipient(browser, desk, body)
    page.goto(f"{desk.url}/deliveries")
    expect(page.locator(".responses").first).to_contain_text("acting")
    sign_out(page)
    _verify(browser, desk, body)
    _auditor(page, desk)
    context.close()
    assert errors == [], errors  # no script error, no CSP violation, no failed load


@pytest.mark.slow
def test_the_desk_on_a_phone(browser: Browser, sqlite_desk: Desk) -> None:
    """Narrow screen: nothing wider than the viewport, the queue usable by keyboard."""
    desk = sqlite_desk
    from tests.web.conftest import ingest_demo

    ingest_demo(desk.app)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, desk.url, "dana", PEOPLE["dana"][0])
    for path in ("/triage", "/threats/THR-1", "/threats/THR-1/determination"):
        page.goto(desk.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    shot(page, "10-phone-determination")
    page.goto(f"{desk.url}/triage")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('case-link')"):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/threats/THR-1")
    context.close()
