"""The desk in a real browser (Debian's Chromium): the whole chain, person by person.

The done-when walk-through of issue 23: the demo case and a second case driven entirely
in the browser, no CLI and no workflow call once the desk is up, by three people.
Analyst: paste the demo report, see a second report pasted on another screen arrive in
the triage queue without reloading, open the case, see a fact's evidence, correct a
fact, grade the information; grade the second case. Duty officer: determine both cases,
propose a release, tighten a fact for the public's warning. Approver: find the release
waiting on the home page, approve it. Duty officer: record the liaison note's hand-over,
see the webhook delivered; the recipient answers through the reply link; the review
shows the case's lead times and answer. Anyone verifies the warning on the public page;
the auditor verifies the chain. Every page visited is photographed at 1280 and 390 px
(test-artifacts/screens/walk-*.png) and must not scroll sideways at 390; at the end the
record holds each step under the person who took it.
"""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tearline.demo.scenario import CODE_WORD, SOURCE, report_text
from tearline.store import tables as t
from tests.web.browser import browser, flash, shot, sign_in, sign_out
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]

KABUL = (
    "Kabul, 25 August 2021. Reporting indicates that ISIS-K suicide bombers plan to attack "
    "crowds at the Abbey Gate of Kabul airport within the next 24 hours.\n"
)
GRADE_REASON = "a second service confirms the plan independently"
ADJUST_REASON = "the source is one of a handful who know the group's name"
HANDOVER_NOTE = "handed to the FSB duty desk in person"


def look(page: Page, name: str) -> None:
    """Photograph the page at 1280 and at 390 px; at 390 nothing may scroll sideways."""
    shot(page, f"walk-{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"walk-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert wide <= 390, f"{name} is {wide} px wide at 390 px"


def _paste(page: Page, base: str, text: str, title: str, *, demo: bool) -> None:
    page.goto(f"{base}/inbox")
    page.fill("#text", text)
    page.fill("#title", title)
    page.check("input[name=compartments][value=CT]")
    if demo:
        page.fill("#source", SOURCE)
        page.select_option("#reliability", "B")
        page.fill("#code_words", CODE_WORD)
        page.fill("#methods", "intercepted Telegram conversations\nTelegram")
    with page.expect_navigation():
        page.click("#ingest-form button[type=submit]")


def _grade(page: Page, credibility: str, reason: str) -> None:
    page.click("summary:has-text('Grade the source and the information')")
    page.select_option("#info_credibility", credibility)
    page.fill("#grade-reason", reason)
    with page.expect_navigation():
        page.click("form[action$='/grade'] button[type=submit]")
    assert "graded" in flash(page)


def _analyst(browser: Browser, page: Page, desk: Desk) -> None:
    base = desk.url
    sign_in(page, base, "ana", PEOPLE["ana"][0])
    look(page, "01-home-analyst")
    _paste(page, base, report_text().decode(), "moscow-liaison.txt", demo=True)
    assert "RPT-1 stored" in flash(page)
    assert "THR-1 (new case)" in flash(page)
    look(page, "02-inbox")
    page.goto(f"{base}/triage")
    expect(page.locator("tr[data-ref='THR-1']")).to_be_visible()
    # A second report is pasted on another screen: the open queue shows it, no reload.
    url_before = page.url
    other = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = other.new_page()
    sign_in(phone, base, "ana", PEOPLE["ana"][0])
    _paste(phone, base, KABUL, "kabul.txt", demo=False)
    assert "THR-2 (new case)" in flash(phone)
    other.close()
    expect(page.locator("tr[data-ref='THR-2']")).to_be_visible(timeout=15_000)
    assert page.url == url_before
    look(page, "03-triage")
    page.click("tr[data-ref='THR-1'] a.case-link")
    page.wait_for_url("**/threats/THR-1")
    link = page.locator("#facts a.fact-link", has_text="armed attack")
    link.click()
    active = page.locator("mark.fact.active")
    expect(active).to_have_count(1)
    assert active.inner_text() == "armed attack"
    assert link.get_attribute("aria-pressed") == "true"
    look(page, "04-threat")
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
    _grade(page, "2", GRADE_REASON)
    expect(page.locator("#grades + dl")).to_contain_text("B2")
    look(page, "05-threat-graded")
    page.goto(f"{base}/threats/THR-2")
    _grade(page, "3", "an open-source report nobody else has repeated yet")
    look(page, "06-second-case")
    sign_out(page)


def _duty_officer(page: Page, desk: Desk) -> None:
    base = desk.url
    sign_in(page, base, "dana", PEOPLE["dana"][0])
    look(page, "07-home-duty")
    page.goto(f"{base}/threats/THR-1/determination")
    expect(page.locator("table.checklist")).to_contain_text("harm in scope")
    with page.expect_navigation():
        page.click("#decide-form button")
    assert "DET-1: warn" in flash(page)
    look(page, "08-determination")
    page.goto(f"{base}/threats/THR-1/release")
    with page.expect_navigation():
        page.click("#propose-form button")
    assert "REL-1 proposed" in flash(page)
    expect(page.locator(".leak").first).to_contain_text("Leak check passed")
    # The proposer cannot approve: the page says so and offers no button.
    expect(page.locator("#approve-form")).to_have_count(0)
    # The public's warning leaves out the group's name, with the reason on record.
    public = page.locator("article.warning-preview", has_text="Public in Moscow")
    wref = public.get_attribute("id") or ""
    public.locator("details.adjust > summary").click()
    public.locator("select[name=level]").select_option("actor:withheld")
    public.locator("textarea[name=reason]").fill(ADJUST_REASON)
    with page.expect_navigation():
        public.locator("button[type=submit]").click()
    assert f"{wref}: actor set to withheld for Public in Moscow" in flash(page)
    expect(public.locator("ul.adjusted")).to_contain_text(ADJUST_REASON)
    look(page, "09-release-proposed")
    # Nobody in the registry is at Kabul airport: the duty officer adds who is, here.
    page.goto(f"{base}/threats/THR-2/determination")
    with page.expect_navigation():
        page.click("#decide-form button")
    refused = flash(page)
    assert "no recipient in the registry" in refused
    assert "the Recipients page" in refused  # the desk's way, not only the CLI's
    page.goto(f"{base}/recipients/new")
    page.fill("#f-name", "Public at Kabul airport")
    page.select_option("#f-kind", "public")
    page.select_option("#f-tier", "public")
    page.fill("#f-country", "AF")
    page.fill("#f-city", "Kabul")
    page.fill("#f-contacts", "public_feed=af-kabul")
    look(page, "10-recipient-form")
    with page.expect_navigation():
        page.click("#recipient-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Public at Kabul airport")
    page.goto(f"{base}/threats/THR-2/determination")
    with page.expect_navigation():
        page.click("#decide-form button")
    assert "DET-2: warn" in flash(page)
    page.goto(f"{base}/threats/THR-2/release")
    with page.expect_navigation():
        page.click("#propose-form button")
    assert "REL-2 proposed" in flash(page)
    look(page, "11-second-release")
    sign_out(page)


def _approver(page: Page, desk: Desk) -> None:
    base = desk.url
    sign_in(page, base, "avery", PEOPLE["avery"][0])
    approvals = page.locator("#approvals")
    expect(approvals).to_contain_text("REL-1")
    expect(approvals).to_contain_text("REL-2")
    look(page, "12-home-approver")
    with page.expect_navigation():
        approvals.locator("a:has-text('REL-1')").click()
    expect(page.locator("ul.adjusted")).to_contain_text(ADJUST_REASON)
    with page.expect_navigation():
        page.click("#approve-form button")
    assert "REL-1 released by avery (proposed by dana)" in flash(page)
    look(page, "13-released")
    page.goto(f"{base}/")
    with page.expect_navigation():
        approvals.locator("a:has-text('REL-2')").click()
    with page.expect_navigation():
        page.click("#approve-form button")
    assert "REL-2 released by avery (proposed by dana)" in flash(page)
    sign_out(page)


def _deliveries(page: Page, desk: Desk) -> None:
    """The duty officer sees the webhook delivered and records the liaison hand-over."""
    base = desk.url
    sign_in(page, base, "dana", PEOPLE["dana"][0])
    page.goto(f"{base}/deliveries")
    webhook = page.locator("tr", has_text="webhook").first
    # The embedded worker delivers; the open page shows it without a reload.
    expect(webhook.locator(".delivery-status")).to_contain_text("delivered", timeout=20_000)
    note = page.locator("tr", has_text="liaison note").first
    expect(note.locator(".delivery-status")).to_contain_text("awaiting handover")
    note.locator("input[name=note]").fill(HANDOVER_NOTE)
    with page.expect_navigation():
        note.locator("button[type=submit]").click()
    assert f"delivered (handed over by dana: {HANDOVER_NOTE})" in flash(page)
    note = page.locator("tr", has_text="liaison note").first
    expect(note.locator(".delivery-status")).to_contain_text("delivered")
    look(page, "14-deliveries")


def _wait_for_post(desk: Desk) -> dict[str, object]:
    deadline = time.monotonic() + 20  # a hang guard, not a speed limit
    while time.monotonic() < deadline:
        if desk.receiver.posts:
            return desk.receiver.posts[0].body
        time.sleep(0.2)
    raise AssertionError("the loopback receiver got nothing")


def _recipient(browser: Browser, desk: Desk, body: dict[str, object]) -> None:
    reply = str(body.get("reply_url") or "")
    assert "/reply/" in reply, body.keys()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(desk.url + "/reply/" + reply.split("/reply/", 1)[1])
    look(page, "15-reply")
    page.check("input[name=kind][value=acting]")
    page.fill("textarea[name=note]", "Security at concert venues reinforced.")
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page.locator("[role=status]")).to_contain_text("is recorded")
    look(page, "16-reply-recorded")
    page.close()


def _review(page: Page, desk: Desk) -> None:
    """Still the duty officer: the answer on the board, then the after-action review."""
    page.goto(f"{desk.url}/deliveries")
    moscow = page.locator("article.delivery-card", has_text="Public in Moscow")
    expect(moscow.locator(".responses")).to_contain_text("acting")
    page.goto(f"{desk.url}/threats/THR-1/review")
    expect(page.locator("#rv-lead")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Public in Moscow")
    expect(page.locator("main")).to_contain_text("acting")
    look(page, "17-case-review")
    page.goto(f"{desk.url}/review")
    expect(page.locator("main")).to_contain_text("2 case(s) opened")
    look(page, "18-review")
    sign_out(page)


def _verify(browser: Browser, desk: Desk, body: dict[str, object]) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{desk.url}/verify")
    page.fill("#content", json.dumps(body))
    with page.expect_navigation():
        page.click("#verify-form button")
    expect(page.locator("#verdict")).to_contain_text("Authentic")
    look(page, "19-verify-authentic")
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
    look(page, "20-audit")
    page.goto(f"{desk.url}/threats/THR-1/timeline")
    expect(page.locator("ol.timeline")).to_contain_text("released by avery")
    expect(page.locator("ol.timeline")).to_contain_text("acting")
    look(page, "21-timeline")


def _the_record(desk: Desk) -> None:
    """What the record holds: each step, under the person who took it."""
    with desk.app.read() as s:
        steps = {(e.actor, e.action) for e in s.scalars(select(t.AuditEntry))}
        handed = s.scalars(select(t.Delivery).where(t.Delivery.channel == "liaison_note")).one()
        override = s.scalars(select(t.FactOverride)).one()
        answer = s.scalars(select(t.Response).where(t.Response.kind == "acting")).one()
        threats = s.scalars(select(t.Threat).order_by(t.Threat.id)).all()
    taken = {
        ("ana", "report.ingested"),
        ("ana", "threat.fact_corrected"),
        ("ana", "threat.graded"),
        ("dana", "determination.warn"),
        ("dana", "recipient.created"),
        ("dana", "release.proposed"),
        ("dana", "warning.adjusted"),
        ("avery", "release.approved"),
        ("dana", "delivery.handed_over"),
        ("recipient:DLV-2", "response.recorded"),  # through the reply link, as itself
    }
    assert taken <= steps, taken - steps
    assert not {a for a in steps if a[0] == "dana" and a[1].startswith("release.approved")}
    assert handed.status == "delivered"
    assert HANDOVER_NOTE in (handed.receipt or "")
    assert (override.fact, override.to_level, override.created_by) == ("actor", "withheld", "dana")
    assert answer.note == "Security at concert venues reinforced."
    assert [th.status for th in threats] == ["warned", "warned"]


@pytest.mark.slow
def test_the_whole_chain_in_chromium(browser: Browser, sqlite_desk: Desk) -> None:
    desk = sqlite_desk
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _analyst(browser, page, desk)
    _duty_officer(page, desk)
    _approver(page, desk)
    _deliveries(page, desk)
    body = _wait_for_post(desk)
    _recipient(browser, desk, body)
    _review(page, desk)
    _verify(browser, desk, body)
    _auditor(page, desk)
    context.close()
    _the_record(desk)
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
