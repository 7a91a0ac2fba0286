"""The determination page: warn is the primary action on a triggered case, not triggered says
why, and a determination in force is superseded only through a preview, a reason, an answer
for the recipients already warned, and a second person (Chromium drives the form)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, expect

from tearline import workflow as wf
from tearline.clock import FixedClock
from tests.web.browser import browser, flash, shot, sign_in, sign_out
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]

REASON = "the window passed without an attack; the plot is judged disrupted"


def _warned(desk: Desk, clock: FixedClock) -> str:
    app = desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    clock.advance(timedelta(days=30))  # the window is past: the rule gives not triggered
    return threat


def test_warn_is_the_primary_action_and_not_triggered_says_why(
    sqlite_desk: Desk, clock: FixedClock
) -> None:
    threat = ingest_demo(sqlite_desk.app)
    dana = sqlite_desk.client("dana")
    page = dana.get(f"/threats/{threat}/determination").text
    assert '<button type="submit">Record the determination (warn)</button>' in page
    assert "The trigger is not met" not in page
    clock.advance(timedelta(days=30))
    dana = sqlite_desk.client("dana")  # the earlier session has expired
    page = dana.get(f"/threats/{threat}/determination").text
    assert "The trigger is not met" in page
    assert "Record the determination (warn)" not in page
    assert '<button type="submit" class="secondary">Record: not triggered' in page


def test_a_warned_case_is_superseded_through_the_desk_by_two_people(
    browser: Browser, sqlite_desk: Desk, clock: FixedClock
) -> None:
    desk = sqlite_desk
    threat = _warned(desk, clock)
    base = desk.url
    page = browser.new_page()
    sign_in(page, base, "dana", PEOPLE["dana"][0])
    page.goto(f"{base}/threats/{threat}/determination")
    expect(page.locator("#decide-form")).to_have_count(0)
    expect(page.locator("#not-triggered")).to_contain_text("The trigger is not met")
    page.click("#supersede > summary")
    page.fill("#supersede-reason", REASON)
    # A downgrade after a release needs an answer for the warned: no radio is preselected.
    page.click("#supersede-form button[type=submit]")
    expect(page.locator("#supersede-preview")).to_have_count(0)
    assert page.locator("#supersede-form input[name=follow_up]:checked").count() == 0
    page.check("#supersede-form input[name=follow_up][value=all-clear]")
    with page.expect_navigation():
        page.click("#supersede-form button[type=submit]")
    preview = page.locator("#supersede-preview")
    expect(preview).to_contain_text("superseding DET-1")
    expect(preview).to_contain_text("not triggered")
    expect(preview).to_contain_text("they stay released")
    expect(preview).to_contain_text("all-clear")
    shot(page, "supersede-preview")
    with page.expect_navigation():
        page.click("#confirm-supersede-form button[type=submit]")
    assert "DET-2: supersede of DET-1 proposed" in flash(page)
    record = page.locator("article.determination", has_text="DET-2 (version 2)")
    expect(record).to_contain_text("Supersedes DET-1")
    expect(record).to_contain_text("DET-1 stays in force until then")
    sign_out(page)
    sign_in(page, base, "avery", PEOPLE["avery"][0])
    page.goto(f"{base}/threats/{threat}/determination")
    with page.expect_navigation():
        page.click(".approve-supersede button")
    assert "supersede DET-2 approved" in flash(page)
    record = page.locator("article.determination", has_text="DET-2 (version 2)")
    expect(record).to_contain_text("in force")
    expect(record).to_contain_text("follow-up owed")
    expect(page.locator("article.determination", has_text="DET-1 (version 1)")).to_contain_text(
        "superseded"
    )
    page.close()
