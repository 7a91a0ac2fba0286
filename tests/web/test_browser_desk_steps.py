"""Every step in the desk, in Chromium, as the person who does it: the duty officer keeps
the recipient registry (add, see the webhook secret once, import a file with a bad row,
edit), adjusts one fact for one warning and proposes an all-clear; the approver finds both
waiting on the home page and approves them; the duty officer who also approves cannot
approve their own. Each page is also looked at 390 px wide: it must not scroll sideways.
Screenshots: test-artifacts/screens/desk-*.png.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tearline import workflow as wf
from tearline.store import tables as t
from tests.web.browser import browser, flash, shot, sign_in, sign_out
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

__all__ = ["browser"]

ADJUST_REASON = "the source is one of a handful who know the group's name"
ALL_CLEAR_REASON = "the match was played and the cell was arrested the next day"
PAT = ("pat", "pat-duty-and-approver-pass")  # holds both roles: still one person


def _narrow_fits(page: Page, name: str, within: str = "") -> None:
    """The page at 390 px: nothing wider than the screen (no sideways scrolling) — or,
    with ``within``, nothing of those elements (the parts of a page this change made)."""
    page.set_viewport_size({"width": 390, "height": 844})
    if within:
        wide = page.evaluate(
            f"Math.max(...Array.from(document.querySelectorAll({within!r} + ', ' + {within!r}"
            " + ' *')).map(e => e.getBoundingClientRect().right))"
        )
    else:
        wide = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"desk-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert wide <= 390, f"{name} is {wide} px wide at 390 px"


def test_the_duty_officer_keeps_the_registry_in_the_browser(
    browser: Browser, sqlite_desk: Desk, tmp_path: Path
) -> None:
    desk, base = sqlite_desk, sqlite_desk.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "dana", PEOPLE["dana"][0])
    page.click("nav >> text=Recipients")
    expect(page.locator("#registry")).to_contain_text("Public in Moscow")
    _narrow_fits(page, "recipients")
    page.click("#add-recipient")
    page.fill("#f-name", "Luzhniki Stadium security <script>alert(1)</script>")
    page.select_option("#f-kind", "organisation")
    page.select_option("#f-tier", "partner")
    page.fill("#f-country", "RU")
    page.fill("#f-city", "Moscow")
    page.fill("#f-contacts", "webhook=https://luzhniki.example/alerts\nemail=ops@luzhniki.example")
    page.fill("#f-fallback", "sms=+79161234567")
    page.fill("#f-communities", "NATO")
    _narrow_fits(page, "recipient-form")
    page.click("#recipient-form button[type=submit]")
    secret_box = page.locator("#new-secrets")
    expect(secret_box).to_contain_text("shown once")
    secret = page.locator("#new-secrets code.token").inner_text().strip()
    with desk.app.read() as s:
        row = s.scalars(select(t.Recipient).where(t.Recipient.name.like("Luzhniki%"))).one()
        ref = f"RCP-{row.id}"
        assert row.contacts[0]["secret"] == secret
        assert row.fallback_contacts == [{"channel": "sms", "address": "+79161234567"}]
    expect(page.locator("h1")).to_contain_text("<script>alert(1)</script>")  # shown as text
    shot(page, "desk-recipient-secret")
    page.goto(f"{base}/recipients/{ref}")
    assert secret not in page.content()
    expect(page.locator("#contacts")).to_contain_text("secret set (never shown)")
    expect(page.locator("#contacts")).to_contain_text("fallback")
    expect(page.locator("#recipient-facts")).to_contain_text("NATO")
    _narrow_fits(page, "recipient")

    # An import with one bad row: every problem by row, nothing stored.
    bad = tmp_path / "registry.csv"
    bad.write_text(
        "name,kind,tier,contacts\n"
        "Embassy desk,organisation,partner,email=embassy@example.org\n"
        "Broken,organisation,partner,fax=123\n"
    )
    page.goto(f"{base}/recipients")
    page.set_input_files("#import-file", str(bad))
    page.click("#import-form button[type=submit]")
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text("nothing imported from registry.csv")
    expect(problems).to_contain_text("row 3, contacts")
    with desk.app.read() as s:
        assert s.scalar(select(t.Recipient.id).where(t.Recipient.name == "Embassy desk")) is None
    _narrow_fits(page, "import-refused")

    # Edit: the tier changes, the webhook keeps the secret it was given.
    page.goto(f"{base}/recipients/{ref}/edit")
    page.select_option("#f-tier", "ally")
    page.click("#recipient-form button[type=submit]")
    assert f"{ref}: Luzhniki Stadium security" in flash(page)
    expect(page.locator("#recipient-facts")).to_contain_text("ally")
    page.close()
    with desk.app.read() as s:
        stored = s.get(t.Recipient, row.id)
        assert stored is not None
        assert stored.tier == "ally"
        assert stored.contacts[0]["secret"] == secret


def _released(desk: Desk) -> tuple[str, str]:
    app = desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    return threat, wf.propose_release(app, threat, dana).ref


def test_adjust_approve_and_all_clear_by_two_people(browser: Browser, sqlite_desk: Desk) -> None:
    desk, base, app = sqlite_desk, sqlite_desk.url, sqlite_desk.app
    wf.add_user(app, PAT[0], PAT[1], ["duty_officer", "approver"], compartments=["CT"], by="test")
    threat, release = _released(desk)
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    # The duty officer withholds the group's name from the public's warning.
    sign_in(page, base, "dana", PEOPLE["dana"][0])
    page.goto(f"{base}/threats/{threat}/release")
    public = page.locator("article.warning-preview", has_text="Public in Moscow")
    wref = public.get_attribute("id") or ""
    public.locator("details.adjust > summary").click()
    public.locator("select[name=level]").select_option("actor:withheld")
    public.locator("textarea[name=reason]").fill(ADJUST_REASON)
    with page.expect_navigation():
        public.locator("button[type=submit]").click()
    assert f"{wref}: actor set to withheld for Public in Moscow" in flash(page)
    adjusted = public.locator("ul.adjusted")
    expect(adjusted).to_contain_text("by dana")
    expect(adjusted).to_contain_text(ADJUST_REASON)
    shot(page, "desk-adjusted")
    public.locator("details.adjust > summary").click()  # the form open, on a phone too
    _narrow_fits(page, "release-adjust", within="article.warning-preview")
    sign_out(page)

    # The approver lands on the home page, where the release waits.
    sign_in(page, base, "avery", PEOPLE["avery"][0])
    approvals = page.locator("#approvals")
    expect(approvals).to_contain_text(f"{release}: release of 2 warning(s)")
    expect(approvals).to_contain_text("dana")
    _narrow_fits(page, "home-approver")
    with page.expect_navigation():
        approvals.locator(f"a:has-text('{release}')").click()
    # The approver sees who adjusted what, and why, before signing.
    expect(page.locator("ul.adjusted")).to_contain_text(ADJUST_REASON)
    with page.expect_navigation():
        page.click("#approve-form button[type=submit]")
    assert f"{release} released by avery" in flash(page)
    sign_out(page)

    # pat (duty officer and approver) proposes the all-clear from the case page…
    sign_in(page, base, *PAT)
    page.goto(f"{base}/threats/{threat}")
    expect(page.locator("#in-force")).to_contain_text("Warnings in force: 2")
    _narrow_fits(page, "case-in-force")
    page.fill("#all-clear-reason", ALL_CLEAR_REASON)
    with page.expect_navigation():
        page.click("#all-clear-form button[type=submit]")
    proposed = flash(page)
    assert "all-clear of 2 warning(s)" in proposed
    ending = proposed.split(":", 1)[1].split()[0]  # "REL-2"
    # …and may not approve it: their home lists it as their own, the form is not offered,
    # and a forged approval is refused.
    page.goto(f"{base}/")
    expect(page.locator("#approvals")).not_to_contain_text(ending)
    expect(page.locator("#own-proposals")).to_contain_text(ending)
    page.goto(f"{base}/threats/{threat}/release")
    expect(page.locator("#approve-form")).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    forged = page.request.post(
        f"{base}/releases/{ending}/approve", form={"csrf_token": token}, max_redirects=0
    )
    assert forged.status == 303
    page.goto(f"{base}/threats/{threat}/release")
    assert "second person" in flash(page)
    sign_out(page)

    sign_in(page, base, "avery", PEOPLE["avery"][0])
    expect(page.locator("#approvals")).to_contain_text(ending)
    page.goto(f"{base}/threats/{threat}/release")
    with page.expect_navigation():
        page.click("#approve-form button[type=submit]")
    assert f"{ending} released by avery (proposed by pat)" in flash(page)
    page.close()
    with app.read() as s:
        override = s.scalars(select(t.FactOverride)).one()
        assert (override.to_level, override.reason, override.created_by) == (
            "withheld",
            ADJUST_REASON,
            "dana",
        )
        ended = s.scalars(select(t.WarningRecord).where(t.WarningRecord.msg_type == "Cancel")).all()
        assert len(ended) == 2
        assert all(w.status == "released" for w in ended)
        assert s.scalar(select(t.Threat.status).where(t.Threat.id == 1)) == "closed"
